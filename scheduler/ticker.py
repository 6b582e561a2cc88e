"""The APScheduler tick: every few seconds, run due work and wake the outbox sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler


class Ticker:
    """In-memory scheduler on purpose: what is due lives in the database, so nothing is lost
    when the process restarts and two processes can tick side by side."""

    def __init__(self, tick: Callable[[], Awaitable[object]], seconds: float) -> None:
        self._scheduler = AsyncIOScheduler()
        # The first tick runs at once: work that fell due while the bot was down goes out on
        # start, not one interval later. (Wall-clock here is APScheduler's trigger, not logic.)
        self._scheduler.add_job(tick, "interval", seconds=seconds, id="tick",
                                max_instances=1, coalesce=True, misfire_grace_time=None,
                                next_run_time=datetime.now(UTC))

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
