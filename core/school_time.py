"""School-day arithmetic: reply deadlines that pause at weekends, and teachers' office hours.

School days are Monday to Friday in the class's time zone (public holidays and make-up days
are not known to the bot).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_school_day(local: datetime) -> bool:
    return local.weekday() < 5


def _next_midnight(local: datetime) -> datetime:
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def add_hours(start: datetime, hours: float, tz: str, *, school_days_only: bool) -> datetime:
    """`start` plus `hours`, counting only school days' hours when asked (48 h from a Friday
    afternoon ends on Tuesday afternoon)."""
    if not school_days_only:
        return start + timedelta(hours=hours)
    local = start.astimezone(ZoneInfo(tz))
    left = timedelta(hours=hours)
    while True:
        if not is_school_day(local):
            local = _next_midnight(local)
            continue
        room = _next_midnight(local) - local
        if left <= room:
            return (local + left).astimezone(start.tzinfo)
        left -= room
        local = _next_midnight(local)


def office_opens(now: datetime, tz: str, start: time, end: time,
                 school_days_only: bool) -> datetime | None:
    """None if `now` is inside office hours, else the instant they next begin."""
    local = now.astimezone(ZoneInfo(tz))
    open_day = not school_days_only or is_school_day(local)
    if open_day and start <= local.time() < end:
        return None
    day = local if open_day and local.time() < start else _next_midnight(local)
    while school_days_only and not is_school_day(day):
        day = _next_midnight(day)
    opening = day.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    return opening.astimezone(now.tzinfo)
