"""Quiet hours (免打扰时段): when a non-urgent message may go out, in the class's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_quiet(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window wraps midnight (21:30–07:00)


def release_time(now: datetime, tz: str, start: time, end: time) -> datetime | None:
    """The instant the current quiet window ends, or None if it is not quiet now."""
    local = now.astimezone(ZoneInfo(tz))
    if not is_quiet(local.time(), start, end):
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(now.tzinfo)
