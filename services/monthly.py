"""Monthly due work per class: the reminder of contact gaps and the monthly report (月报), both on
the first school day of each month at their configured time (class time zone).

Like the weekly update, each run schedules the next month before doing its work, and start-up
ensures the next one, so a missed month never ends the series.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.school_time import is_school_day
from models import SchoolClass
from services import jobs, keys
from services.uow import UnitOfWork

GAPS_JOB = "record_gaps"
REPORT_JOB = "monthly_report"


def first_school_day(year: int, month: int, tz: str, at: time) -> datetime:
    """The month's first school day at `at`, in `tz`."""
    day = datetime.combine(date(year, month, 1), at, ZoneInfo(tz))
    while not is_school_day(day):
        day += timedelta(days=1)
    return day


def next_slot(now: datetime, tz: str, at: time) -> datetime:
    """The first first-school-day-of-a-month slot after `now`."""
    local = now.astimezone(ZoneInfo(tz))
    slot = first_school_day(local.year, local.month, tz, at)
    if slot <= now:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        slot = first_school_day(year, month, tz, at)
    return slot


def month_of(slot: datetime, tz: str) -> str:
    return slot.astimezone(ZoneInfo(tz)).strftime("%Y-%m")


async def ensure_scheduled(uow: UnitOfWork, school_class: SchoolClass) -> None:
    """The class's next gap reminder and monthly report are due (each once per month)."""
    tz, settings = school_class.timezone, uow.config
    if settings.record.reminders:
        slot = next_slot(uow.now, tz, settings.record.reminder_at)
        await jobs.schedule(uow, kind=GAPS_JOB, due_at=slot, class_id=school_class.id,
                            key=keys.record_reminder(school_class.id, month_of(slot, tz)))
    if settings.reports.monthly:
        slot = next_slot(uow.now, tz, settings.reports.at)
        await jobs.schedule(uow, kind=REPORT_JOB, due_at=slot, class_id=school_class.id,
                            key=keys.monthly_report(school_class.id, month_of(slot, tz)))
