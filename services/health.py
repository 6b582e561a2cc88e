"""What `classbot check` reports: is the database there, at the code's schema, and is the
outbox keeping up (how many messages are due and unsent, and since when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from models import Database, GroupBinding, Notice, OutboxMessage
from models.migrate import current, head

UNSENT = ("pending", "sending")


@dataclass(frozen=True)
class Health:
    reachable: bool
    error: str | None = None
    revision: str | None = None
    head: str = ""
    due: int = 0  # unsent rows whose time has come
    held: int = 0  # unsent rows waiting for a later time (quiet hours, office hours)
    oldest_due: datetime | None = None

    @property
    def at_head(self) -> bool:
        return self.revision == self.head


async def check(db: Database, now: datetime) -> Health:
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        revision, _ = await current(db)
    except Exception as exc:  # unreachable, wrong password, no such database, …
        return Health(False, error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
                      head=head())
    if revision != head():
        return Health(True, revision=revision, head=head())
    unsent = OutboxMessage.status.in_(UNSENT)
    async with db.session() as session:
        due, oldest = (await session.execute(
            select(func.count(), func.min(OutboxMessage.not_before))
            .where(unsent, OutboxMessage.not_before <= now))).one()
        held = await session.scalar(
            select(func.count()).where(unsent, OutboxMessage.not_before > now)) or 0
    if oldest is not None and oldest.tzinfo is None:  # an aggregate may come back naive
        oldest = oldest.replace(tzinfo=UTC)
    return Health(True, revision=revision, head=head(), due=due, held=held, oldest_due=oldest)


async def has_history(db: Database) -> bool:
    """Whether the database already holds a class's life (a bound group, a notice): a replay on
    it continues that life (notice numbers go on, registrations are already there)."""
    async with db.session() as session:
        for table in (GroupBinding, Notice):
            if await session.scalar(select(func.count()).select_from(table)):
                return True
    return False
