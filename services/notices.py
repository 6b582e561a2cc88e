"""Notices and their acknowledgements (收到) — read tracking per family, not per message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select

from models import Notice, NoticeAck
from models.base import storable
from services import guardians
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
    return await uow.session.get(Notice, notice_id)


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
    return (await uow.session.scalars(select(Notice).where(
        Notice.class_id == class_id, Notice.created_at >= since, current())
        .order_by(Notice.number.desc()))).first()


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
    """Record 收到 for every child of this guardian in the notice's class."""
    students = await guardians.students_of_guardian(uow, notice.class_id, person_id)
    if not students:
        return AckStatus.NOT_GUARDIAN
    done = set((await uow.session.scalars(select(NoticeAck.student_id).where(
        NoticeAck.notice_id == notice.id, NoticeAck.student_id.in_(students)))).all())
    missing = [s for s in students if s not in done]
    for student_id in missing:
        uow.session.add(NoticeAck(notice_id=notice.id, student_id=student_id,
                                  person_id=person_id, via=via, acked_at=uow.now))
    await uow.session.flush()
    return AckStatus.NEW if missing else AckStatus.ALREADY


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
    acked = set((await uow.session.scalars(select(NoticeAck.student_id).where(
        NoticeAck.notice_id == notice.id))).all())
    missing = [f for f in families if f.student_id not in acked]
    return ReadStatus(notice, len(families), len(families) - len(missing), missing)
