"""Clocks: logic never reads the wall clock itself, so tests and the console can move time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """Wall-clock time for a real deployment."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock the console and tests can set.

    `flowing=True` keeps time moving from the last setting (interactive console: nudges still
    fall due while you watch); `flowing=False` freezes it so a replayed transcript prints the
    same thing every time.
    """

    def __init__(self, start: datetime, *, flowing: bool = False) -> None:
        # No default: a clock that silently started at the machine's date made replays depend
        # on the day they ran. The caller says where time starts.
        self._anchor = _as_utc(start)
        self._set_at = time.monotonic()
        self._flowing = flowing

    def now(self) -> datetime:
        if not self._flowing:
            return self._anchor
        return self._anchor + timedelta(seconds=time.monotonic() - self._set_at)

    def set(self, instant: datetime) -> None:
        self._anchor = _as_utc(instant)
        self._set_at = time.monotonic()


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("a clock needs an aware datetime")
    return instant.astimezone(UTC)
