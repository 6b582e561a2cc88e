"""Process leases: several bot processes on one database without stepping on each other's claims.

Why: a process that claims an outbox row or a due job may die (kill -9, power loss) with the
claim held. Another process must finish that work — but only once the owner is really gone,
and only if it can do the work: a console run must never resend a live Telegram process's
in-flight messages. So every process keeps a row in `process_leases` with an expiry it pushes
forward (the heartbeat), every claim names its process, and a claim is taken over only when its
process's lease has expired, by a process that serves the claim's channel.

The lease's time is the bot's clock, like everything else the bot decides on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from core.clock import Clock
from models import Database, OutboxMessage, ProcessLease, ScheduledJob
from services.sql import upsert

log = logging.getLogger(__name__)

# A lease that expired this long ago is deleted (its rows were taken over long before).
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Takeover:
    """What one takeover pass returned to the queue."""

    messages: int
    jobs: int


class Lease:
    """This process's lease: renew it regularly, take over what dead processes left behind."""

    def __init__(self, db: Database, clock: Clock, worker: str, channels: Iterable[str],
                 seconds: float) -> None:
        self.db = db
        self.clock = clock
        self.worker = worker
        self.channels = sorted(set(channels))
        self.duration = timedelta(seconds=seconds)
        self._renewed_at: datetime | None = None

    @property
    def heartbeat_seconds(self) -> float:
        """How often to renew: three heartbeats fit in one lease, so one late beat is harmless."""
        return self.duration.total_seconds() / 3

    async def renew(self) -> None:
        """Write (or push forward) this process's lease."""
        now = self.clock.now()
        async with self.db.session() as session, session.begin():
            await upsert(session, ProcessLease,
                         {"worker": self.worker, "channels": ",".join(self.channels),
                          "started_at": now, "expires_at": now + self.duration},
                         ["worker"], ["expires_at"])
        self._renewed_at = now

    def due(self) -> bool:
        """A heartbeat is due (by the bot's clock): a third of the lease has passed."""
        if self._renewed_at is None:
            return True
        return self.clock.now() - self._renewed_at >= self.duration / 3

    async def beat(self) -> Takeover:
        """The heartbeat: renew this lease, then take over the claims of expired ones."""
        await self.renew()
        return await self.take_over_expired()

    async def take_over_expired(self) -> Takeover:
        """Claims whose process's lease expired go back to the queue: outbox rows only on the
        channels this process serves, due jobs (which any process can run) always."""
        now = self.clock.now()
        live = select(ProcessLease.worker).where(ProcessLease.expires_at > now)
        async with self.db.session() as session, session.begin():
            messages = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending",
                       OutboxMessage.channel.in_(self.channels),
                       or_(OutboxMessage.claimed_by.is_(None),
                           OutboxMessage.claimed_by.not_in(live)))
                .values(status="pending", claimed_by=None)
                .execution_options(synchronize_session=False))
            jobs = await session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.status == "running",
                       or_(ScheduledJob.claimed_by.is_(None),
                           ScheduledJob.claimed_by.not_in(live)))
                .values(status="pending", claimed_by=None)
                .execution_options(synchronize_session=False))
            await session.execute(delete(ProcessLease)
                                  .where(ProcessLease.expires_at < now - FORGET_AFTER))
        taken = Takeover(messages.rowcount or 0, jobs.rowcount or 0)  # type: ignore[attr-defined]
        if taken.messages or taken.jobs:
            log.warning("took over %s message(s) and %s job(s) of processes whose lease expired",
                        taken.messages, taken.jobs)
        return taken

    async def release(self) -> None:
        """A clean stop: this process's claims go back to the queue at once (nothing of ours is
        in flight any more), and the lease ends so nobody waits for it."""
        async with self.db.session() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending",
                       OutboxMessage.claimed_by == self.worker)
                .values(status="pending", claimed_by=None)
                .execution_options(synchronize_session=False))
            await session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.status == "running", ScheduledJob.claimed_by == self.worker)
                .values(status="pending", claimed_by=None)
                .execution_options(synchronize_session=False))
            await session.execute(delete(ProcessLease).where(ProcessLease.worker == self.worker))
        self._renewed_at = None


async def live_workers(db: Database, now: datetime) -> list[str]:
    """The processes whose lease is current (for `classbot check` and tests)."""
    async with db.session() as session:
        rows = await session.scalars(select(ProcessLease.worker)
                                     .where(ProcessLease.expires_at > now)
                                     .order_by(ProcessLease.worker))
        return list(rows)
