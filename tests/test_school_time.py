"""School days: the public calendar's holidays and make-up days, and the school's own list."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from core.config import Config
from core.school_time import PUBLIC_CALENDAR, SchoolCalendar, add_hours, office_opens

TZ = "Asia/Shanghai"
SH = ZoneInfo(TZ)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SH)


def test_national_day_week_is_off_and_the_make_up_saturday_is_a_school_day() -> None:
    assert not PUBLIC_CALENDAR.is_school_day(date(2026, 10, 1))  # 国庆节, a Thursday
    assert not PUBLIC_CALENDAR.is_school_day(date(2026, 10, 5))  # a Monday of the holiday
    assert PUBLIC_CALENDAR.is_school_day(date(2026, 10, 10))  # Saturday, 调休 working day
    assert PUBLIC_CALENDAR.is_school_day(date(2026, 12, 1))  # an ordinary Tuesday
    assert not PUBLIC_CALENDAR.is_school_day(date(2026, 12, 5))  # an ordinary Saturday


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday() -> None:
    assert PUBLIC_CALENDAR.is_school_day(date(2099, 6, 5))  # a Friday
    assert not PUBLIC_CALENDAR.is_school_day(date(2099, 6, 6))  # a Saturday


def test_the_reply_clock_stops_over_the_national_day_holiday() -> None:
    # 48 school hours from Wednesday 30 Sept 10:00: the rest of Wednesday (14 h), then nothing
    # until Thursday 8 Oct (24 h), then Friday 9 Oct (10 h).
    due = add_hours(at("2026-09-30 10:00"), 48, TZ, school_days_only=True)
    assert due == at("2026-10-09 10:00")
    # From Friday 9 Oct 10:00, 24 h runs on into Saturday 10 Oct, a make-up working day.
    assert add_hours(at("2026-10-09 10:00"), 24, TZ, school_days_only=True) == at(
        "2026-10-10 10:00")
    plain = add_hours(at("2026-09-30 10:00"), 48, TZ, school_days_only=True,
                      calendar=SchoolCalendar(public_holidays=False))
    assert plain == at("2026-10-02 10:00")


def test_the_schools_own_days_off_and_extra_days_win() -> None:
    config = Config.model_validate({"school_days": {"off": ["2026-12-02"],
                                                    "extra": ["2026-12-05"]}})
    calendar = config.school_days.calendar()
    assert not calendar.is_school_day(date(2026, 12, 2))
    assert calendar.is_school_day(date(2026, 12, 5))
    # Tuesday 17:00 + 24 school hours: Tuesday's last 7 h, Wednesday off, Thursday's 17 h.
    due = add_hours(at("2026-12-01 17:00"), 24, TZ, school_days_only=True, calendar=calendar)
    assert due == at("2026-12-03 17:00")
    # A letter on Friday evening to a teacher with office hours waits for the extra Saturday.
    opens = office_opens(at("2026-12-04 19:00"), TZ, time(7, 30), time(18, 0), True, calendar)
    assert opens == at("2026-12-05 07:30")
