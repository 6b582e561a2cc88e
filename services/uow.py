"""One transaction per incoming event or due job.

Why not one transaction per service call: an event's effects — the platform message id marked
as seen, the domain change and the outgoing messages — must commit together, so a crash or a
redelivery never leaves half of them behind (nothing lost, nothing doubled).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.clock import Clock
from core.config import Config
from models import Database


@dataclass
class ReplyClaim:
    """Replies this unit of work queues go out claimed by `worker` (when this process serves
    their channel): the sender gets them after the commit, with no second write before sending
    (services/outbox.enqueue fills `rows`)."""

    worker: str
    channels: frozenset[str]
    rows: list[Any] = field(default_factory=list)  # OutboxMessage, claimed
    # Rows this unit queued that were not handed over (a group post, a reminder): while there
    # are none, the handed replies cannot overtake anything of their own events, and the
    # sender sends them before it looks for other due rows (bot/sender.py).
    others: int = 0


class UnitOfWork:
    def __init__(self, db: Database, clock: Clock, config: Config) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self._session: AsyncSession | None = None
        self.now: datetime = clock.now()
        self.reply_claim: ReplyClaim | None = None
        # Work to do once, just before the commit, however many events asked for it (a
        # notice card's tally after a batch of 收到: one re-render and one edit, not fifty).
        self._before_commit: dict[Hashable, Callable[[], Awaitable[None]]] = {}

    def before_commit(self, key: Hashable, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work()` just before this unit commits; a later call with the same key
        replaces an earlier one (the latest state is what gets written)."""
        self._before_commit.pop(key, None)
        self._before_commit[key] = work

    def pending_work(self) -> list[Hashable]:
        """The keys of the work queued so far (a failed event's savepoint drops what it
        added: `drop_work_since`)."""
        return list(self._before_commit)

    def drop_work_since(self, keys: list[Hashable]) -> None:
        """Forget the work queued after `keys` was taken, except what was queued before."""
        known = set(keys)
        for key in [k for k in self._before_commit if k not in known]:
            del self._before_commit[key]

    async def run_before_commit(self) -> None:
        while self._before_commit:
            key = next(iter(self._before_commit))
            await self._before_commit.pop(key)()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self.now = self.clock.now()
        # The transaction begins with the first statement (SQLAlchemy's autobegin): an
        # explicit begin() was one more hop into the session's greenlet for every event.
        self._session = self.db.session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                await self.run_before_commit()
                await session.run_sync(_commit_and_close)  # one hop into the greenlet for both
            else:
                await session.run_sync(_rollback_and_close)
        except BaseException:
            await session.close()  # the work before the commit failed (closing twice is harmless)
            raise
        finally:
            self._session = None


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()
