"""School-day arithmetic: reply deadlines that pause on days off, and teachers' office hours.

A school day is a working day of the Chinese public calendar (`chinesecalendar`: public
holidays are off, the make-up working days (调休) on a weekend are school days), corrected by the
school's own list (`school_days` in config: a sports day off, an extra day of classes). For a
year the calendar package does not know yet (the State Council publishes the next year's
holidays each November), Monday to Friday is assumed until a release carries that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar


@dataclass(frozen=True)
class SchoolCalendar:
    """Which dates are school days. `off` and `extra` are the school's own exceptions: they win
    over the public calendar (a school may close for a sports meeting, or hold classes on a
    Saturday the State Council did not make a working day)."""

    off: frozenset[date] = field(default_factory=frozenset)
    extra: frozenset[date] = field(default_factory=frozenset)
    public_holidays: bool = True

    def is_school_day(self, day: date) -> bool:
        if day in self.off:
            return False
        if day in self.extra:
            return True
        if self.public_holidays:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:  # a year the installed release does not cover yet
                pass
        return day.weekday() < 5


PUBLIC_CALENDAR = SchoolCalendar()


def is_school_day(local: datetime, calendar: SchoolCalendar = PUBLIC_CALENDAR) -> bool:
    return calendar.is_school_day(local.date())


def _next_midnight(local: datetime) -> datetime:
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def add_hours(start: datetime, hours: float, tz: str, *, school_days_only: bool,
              calendar: SchoolCalendar = PUBLIC_CALENDAR) -> datetime:
    """`start` plus `hours`, counting only school days' hours when asked (48 h from a Friday
    afternoon ends on Tuesday afternoon; over the National Day week it ends after it)."""
    if not school_days_only:
        return start + timedelta(hours=hours)
    local = start.astimezone(ZoneInfo(tz))
    left = timedelta(hours=hours)
    while True:
        if not is_school_day(local, calendar):
            local = _next_midnight(local)
            continue
        room = _next_midnight(local) - local
        if left <= room:
            return (local + left).astimezone(start.tzinfo)
        left -= room
        local = _next_midnight(local)


def office_opens(now: datetime, tz: str, start: time, end: time,
                 school_days_only: bool,
                 calendar: SchoolCalendar = PUBLIC_CALENDAR) -> datetime | None:
    """None if `now` is inside office hours, else the instant they next begin."""
    local = now.astimezone(ZoneInfo(tz))
    open_day = not school_days_only or is_school_day(local, calendar)
    if open_day and start <= local.time() < end:
        return None
    day = local if open_day and local.time() < start else _next_midnight(local)
    while school_days_only and not is_school_day(day, calendar):
        day = _next_midnight(day)
    opening = day.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    return opening.astimezone(now.tzinfo)
