"""The APScheduler tick: every few seconds, run due work and wake the dispatcher."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler


class Ticker:
    """In-memory scheduler on purpose: what is due lives in the database, so nothing is lost
    when the process restarts and two processes can tick side by side."""

    def __init__(self, tick: Callable[[], Awaitable[object]], seconds: float) -> None:
        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(tick, "interval", seconds=seconds, id="tick",
                                max_instances=1, coalesce=True, misfire_grace_time=None)

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
