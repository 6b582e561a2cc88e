"""Due work kept in the database; the scheduler only ticks and claims what is due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from models import Database, ScheduledJob
from services import sets
from services.sql import dialect_insert, insert_if_absent
from services.uow import UnitOfWork


@dataclass(frozen=True)
class Due:
    """A due item to add once per key (what `schedule` takes, for `schedule_many`)."""

    kind: str
    key: str
    due_at: datetime
    ref_id: int | None = None
    class_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {"dedupe_key": self.key, "kind": self.kind, "ref_id": self.ref_id,
                "class_id": self.class_id, "due_at": self.due_at, "status": "pending",
                "payload": self.payload}


async def schedule(uow: UnitOfWork, *, kind: str, key: str, due_at: datetime,
                   ref_id: int | None = None, class_id: int | None = None,
                   payload: dict[str, Any] | None = None) -> bool:
    """Add a due item once per key (scheduling the same thing twice is a no-op)."""
    new_id = await insert_if_absent(
        uow.session, ScheduledJob,
        Due(kind, key, due_at, ref_id, class_id, payload or {}).row(), ["dedupe_key"])
    return new_id is not None


async def schedule_many(uow: UnitOfWork, due: Sequence[Due]) -> None:
    """`schedule` for many items in one executemany of INSERT … ON CONFLICT DO NOTHING (the
    weekly burst schedules next week's slot of every class it posts for): one round trip, and
    one compiled statement whatever the number of rows."""
    if due:
        await uow.session.execute(dialect_insert(uow.session, ScheduledJob.__table__)
                                  .on_conflict_do_nothing(index_elements=["dedupe_key"]),
                                  [d.row() for d in due])


# How many due rows a claim takes (the weekly burst runs a claim's weekly jobs in one
# transaction, kit/jobs.py). On SQLite that transaction holds the database's one write lock
# once it writes, so claims stay small; PostgreSQL locks rows, and a claim of 100 halves the
# burst's fixed statements per claim (issue 14: 602 → 302 statements for 1,000 classes).
CLAIM_LIMIT = {"postgresql": 100}
DEFAULT_CLAIM_LIMIT = 50


def claim_limit(db: Database) -> int:
    return CLAIM_LIMIT.get(db.engine.dialect.name, DEFAULT_CLAIM_LIMIT)


async def claim_due(db: Database, now: datetime, worker: str,
                    limit: int | None = None) -> list[ScheduledJob]:
    """Atomically take due rows (at most `limit`, by default `claim_limit`): two bot
    processes never run the same job. `worker` is this process's lease (services/leases.py):
    if it dies, the jobs go back once the lease expires."""
    if limit is None:
        limit = claim_limit(db)
    async with db.reading() as session:  # nothing due (most ticks): no write lock taken
        if await session.scalar(select(ScheduledJob.id).where(
                ScheduledJob.status == "pending", ScheduledJob.due_at <= now).limit(1)) is None:
            return []
    # The due rows are picked once, in a CTE: as a subquery of IN, PostgreSQL may run the
    # SELECT … LIMIT … SKIP LOCKED again for each row it updates, and each run skips the rows
    # the last one locked — the claim then took every due row, not `limit` of them.
    due = (select(ScheduledJob.id)
           .where(ScheduledJob.status == "pending", ScheduledJob.due_at <= now)
           .order_by(ScheduledJob.due_at, ScheduledJob.id).limit(limit)
           .with_for_update(skip_locked=True).cte("due"))
    stmt = (update(ScheduledJob)
            .where(ScheduledJob.id.in_(select(due.c.id)), ScheduledJob.status == "pending")
            .values(status="running", claimed_by=worker, claimed_at=now)
            .returning(ScheduledJob)
            .execution_options(synchronize_session=False))
    async with db.session() as session, session.begin():
        rows = list((await session.scalars(stmt)).all())
    return sorted(rows, key=lambda job: (job.due_at, job.id))


async def finish(uow: UnitOfWork, job_id: int, status: str = "done",
                 error: str | None = None) -> None:
    await uow.session.execute(update(ScheduledJob).where(ScheduledJob.id == job_id).values(
        status=status, finished_at=uow.now, last_error=error))


async def finish_many(uow: UnitOfWork, job_ids: Sequence[int]) -> None:
    """`finish` for many jobs done together (one UPDATE)."""
    if job_ids:
        await uow.session.execute(update(ScheduledJob)
                                  .where(sets.among(uow.session, ScheduledJob.id, job_ids))
                                  .values(status="done", finished_at=uow.now, last_error=None)
                                  .execution_options(synchronize_session=False))


async def fail(db: Database, job_id: int, now: datetime, error: str) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(ScheduledJob).where(ScheduledJob.id == job_id).values(
            status="failed", finished_at=now, last_error=error[:200]))


async def cancel(uow: UnitOfWork, *, kind: str, ref_id: int) -> int:
    result = await uow.session.execute(update(ScheduledJob).where(
        ScheduledJob.kind == kind, ScheduledJob.ref_id == ref_id,
        ScheduledJob.status == "pending").values(status="cancelled", finished_at=uow.now))
    return result.rowcount or 0  # type: ignore[attr-defined]
