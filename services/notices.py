"""Notices and their acknowledgements (收到) — read tracking per family, not per message."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.session import ORMExecuteState

from models import Notice, NoticeAck
from models.base import storable
from services import directory, guardians, sql
from services.guardians import Family
from services.uow import UnitOfWork


async def create(uow: UnitOfWork, *, class_id: int, author_id: int, title: str, body: str,
                 urgent: bool, publish_at: datetime) -> Notice:
    number = ((await uow.session.scalar(
        select(func.max(Notice.number)).where(Notice.class_id == class_id))) or 0) + 1
    notice = Notice(class_id=class_id, number=number, title=title, body=body, urgent=urgent,
                    author_id=author_id, created_at=uow.now, publish_at=publish_at)
    uow.session.add(notice)
    await uow.session.flush()
    return notice


async def get(uow: UnitOfWork, notice_id: int) -> Notice | None:
    """Through the directory: a 收到 names a notice the resolver has just read."""
    return await directory.row(uow, Notice, notice_id)


def current() -> ColumnElement[bool]:
    """Notices that still stand (not withdrawn with #撤回): every open list reads only these."""
    return Notice.withdrawn_at.is_(None)


async def by_number(uow: UnitOfWork, class_id: int, number: int, *,
                    withdrawn: bool = False) -> Notice | None:
    """The class's notice #number; a withdrawn one only when asked (#撤回 / #更正 say so).
    None for a number no row can have (models.base.storable), without asking the database."""
    if not storable(number):
        return None
    where = [Notice.class_id == class_id, Notice.number == number]
    if not withdrawn:
        where.append(current())
    return (await uow.session.scalars(select(Notice).where(*where))).first()


async def latest(uow: UnitOfWork, class_id: int) -> Notice | None:
    """The newest notice still inside the acknowledgement window (bare 收到 goes to it)."""
    since = uow.now - timedelta(days=uow.config.notices.ack_window_days)

    async def newest() -> Notice | None:
        found = (await uow.session.scalars(select(Notice).where(Notice.class_id == class_id,
                                                                current())
                                           .order_by(Notice.number.desc()).limit(1))).first()
        return directory.detached(found) if found is not None else None

    # The class's newest notice is the answer whenever it is inside the window (numbers grow
    # with time); it is cached, so a flood of 收到 does not look for it every time.
    cached = await directory.cached(uow, ("newest_notice", class_id), newest)
    if cached is not None and cached.created_at >= since:
        return await directory.attach(uow, cached)
    return (await uow.session.scalars(select(Notice).where(
        Notice.class_id == class_id, Notice.created_at >= since, current())
        .order_by(Notice.number.desc()))).first()


async def standing_since(uow: UnitOfWork, class_ids: Sequence[int],
                         since: datetime) -> list[Notice]:
    """Notices not withdrawn, published at or after `since` (held ones included: the caller
    compares `publish_at` with now), by class and number. Cached per class in the directory
    with the bound it was read for: every 收到 asks, and notices change only when written
    (which moves the directory's stamp)."""
    rows: list[Notice] = []
    for class_id in dict.fromkeys(class_ids):
        async def load(class_id: int = class_id) -> tuple[datetime, list[Notice]]:
            found = (await uow.session.scalars(select(Notice).where(
                Notice.class_id == class_id, current(), Notice.publish_at >= since)
                .order_by(Notice.number))).all()
            return since, [directory.detached(n) for n in found]

        read_since, cached = await directory.cached(uow, ("standing_notices", class_id), load)
        if read_since > since:  # read for a later window (a clock set back): read again
            read_since, cached = await load()
        rows += await directory.attach_all(uow, [n for n in cached if n.publish_at >= since])
    return rows


async def latest_unacked_for(uow: UnitOfWork, class_id: int, person_id: int) -> Notice | None:
    """For a 收到 sent privately (after a nudge): the newest notice this family still owes."""
    students = await guardians.students_of_guardian(uow, class_id, person_id)
    if not students:
        return None
    since = uow.now - timedelta(days=uow.config.notices.ack_window_days)
    acked = select(NoticeAck.notice_id).where(NoticeAck.student_id.in_(students))
    return (await uow.session.scalars(select(Notice).where(
        Notice.class_id == class_id, Notice.created_at >= since, Notice.id.not_in(acked),
        current())
        .order_by(Notice.number.desc()))).first()


class AckStatus(StrEnum):
    NEW = "new"
    ALREADY = "already"
    NOT_GUARDIAN = "not_guardian"


async def acknowledge(uow: UnitOfWork, notice: Notice, person_id: int, via: str) -> AckStatus:
    """Record 收到 for every child of this guardian in the notice's class: one upsert (INSERT
    … ON CONFLICT DO NOTHING RETURNING), so a repeated 收到 costs no read first — and no
    statement at all when this transaction has already read the notice's acknowledgements
    (the resolver did, to find what the family owes) and they include every child."""
    students = await guardians.students_of_guardian(uow, notice.class_id, person_id)
    if not students:
        return AckStatus.NOT_GUARDIAN
    memo = uow.session.info.get(_ACKS)
    known = memo.get(notice.id) if memo is not None else None
    if known is not None and known.issuperset(students):
        return AckStatus.ALREADY
    rows = [{"notice_id": notice.id, "student_id": student_id, "person_id": person_id,
             "via": via, "acked_at": uow.now} for student_id in students]
    stmt = _ack_statement(uow.session.bind.dialect.name)
    added: list[int] = []
    for row in rows:  # a family has one child in the class, rarely two
        added += (await sql.run(uow.session, stmt, row)).scalars().all()  # memo kept: no event
    if memo is not None and notice.id in memo:
        memo[notice.id] |= set(added)
    return AckStatus.NEW if added else AckStatus.ALREADY


@functools.cache
def _ack_statement(dialect: str) -> Any:
    """Built once per dialect with bound parameters, on the table (no ORM insert path)."""
    acks = NoticeAck.__table__
    names = ("notice_id", "student_id", "person_id", "via", "acked_at")
    return ((postgresql if dialect == "postgresql" else sqlite).insert(acks)
            .values({name: bindparam(name) for name in names})
            .on_conflict_do_nothing(index_elements=["notice_id", "student_id"])
            .returning(acks.c.student_id))


# --- who has acknowledged, read once per transaction ----------------------------------------
# A 收到 reads the acknowledgements of the open notices (which does this family still owe?)
# and then the tally of the one it acknowledged (the card's line): one read serves both, kept
# in session.info until the (sub)transaction ends; any other write to notice_acks drops it.

_ACKS = "notice_acks_read"  # session.info: notice id → acknowledged student ids


async def acks_of(uow: UnitOfWork, notice_ids: Sequence[int]) -> dict[int, set[int]]:
    """notice id → the students acknowledged, for each of `notice_ids`."""
    memo: dict[int, set[int]] = uow.session.info.setdefault(_ACKS, {})
    missing = [i for i in notice_ids if i not in memo]
    if missing:
        for notice_id in missing:
            memo[notice_id] = set()
        for notice_id, student_id in (await sql.run(uow.session, _ACKS_OF, {
                "ids": missing})).all():
            memo[notice_id].add(student_id)
    return {i: memo[i] for i in notice_ids}


_ACKS_OF = select(NoticeAck.notice_id, NoticeAck.student_id).where(
    NoticeAck.notice_id.in_(bindparam("ids", expanding=True)))


@event.listens_for(Session, "do_orm_execute")
def _drop_on_write(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and \
            getattr(getattr(state.statement, "table", None), "name", None) == "notice_acks":
        state.session.info.pop(_ACKS, None)


@event.listens_for(Session, "after_flush")
def _drop_on_flush(session: Session, _context: object) -> None:
    if _ACKS in session.info and any(isinstance(o, NoticeAck) for o in
                                     (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_ACKS, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, _transaction: object) -> None:
    session.info.pop(_ACKS, None)  # a savepoint too: what it wrote is gone


@event.listens_for(Session, "after_transaction_end")
def _drop_at_end(session: Session, transaction: SessionTransaction) -> None:
    if not transaction.nested:  # a released savepoint keeps it: the batch goes on
        session.info.pop(_ACKS, None)


@dataclass(frozen=True)
class ReadStatus:
    notice: Notice
    total: int
    acked: int
    missing: list[Family]


async def read_status(uow: UnitOfWork, notice: Notice,
                      families: list[Family] | None = None) -> ReadStatus:
    """`families` may be passed by a caller that already read them (the weekly digest)."""
    if families is None:
        families = await guardians.families(uow, notice.class_id)
    acked = (await acks_of(uow, [notice.id]))[notice.id]
    missing = [f for f in families if f.student_id not in acked]
    return ReadStatus(notice, len(families), len(families) - len(missing), missing)
