"""Correcting and withdrawing a notice (#更正 / #撤回); only its author or the head teacher.

A correction keeps the notice's number: the text changes, every family must confirm again
(their earlier 收到 no longer counts, so it is deleted), and the reminders start over under
the new revision's keys. A withdrawal takes the notice out of everything still to come: its
reminders (jobs and queued messages, the author's "still missing" list included), the card if
quiet hours still hold it, the unread lists and the weekly update. Nothing is deleted: the
record of what was sent stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select

from models import Notice, NoticeAck, OutboxMessage
from services import guardians, jobs, keys
from services.guardians import Guardian
from services.uow import UnitOfWork

NUDGE_JOB = "notice_nudge"  # handlers/notices.py's due-job kind


def may_change(roles: Iterable[str], person_id: int, author_id: int) -> bool:
    """Only the one who posted it or the head teacher may correct, withdraw, move or cancel."""
    return person_id == author_id or "head_teacher" in set(roles)


async def _cancel_reminders(uow: UnitOfWork, notice: Notice) -> None:
    await jobs.cancel(uow, kind=NUDGE_JOB, ref_id=notice.id)
    rows = (await uow.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == "pending",
        OutboxMessage.dedupe_key.startswith(keys.notice_nudges(notice.id), autoescape=True))
    )).all()
    for row in rows:
        row.status = "cancelled"


async def correct(uow: UnitOfWork, notice: Notice, text: str) -> Notice:
    """The new text under the same number; confirmations start over."""
    notice.revision += 1
    notice.body = text
    await uow.session.execute(delete(NoticeAck).where(NoticeAck.notice_id == notice.id))
    await _cancel_reminders(uow, notice)
    await uow.session.flush()
    return notice


@dataclass(frozen=True)
class Withdrawn:
    notice: Notice
    confirmed: list[Guardian]  # guardians of the families who had said 收到: told privately
    was_posted: bool  # False: quiet hours still held the card, so nothing to take back


async def withdraw(uow: UnitOfWork, notice: Notice) -> Withdrawn:
    notice.withdrawn_at = uow.now
    await _cancel_reminders(uow, notice)
    held = (await uow.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.ref_kind == "notice",
        OutboxMessage.ref_id == notice.id))).all()
    for row in held:
        row.status = "cancelled"
    acked = set((await uow.session.scalars(select(NoticeAck.student_id).where(
        NoticeAck.notice_id == notice.id))).all())
    confirmed = [g for family in await guardians.families(uow, notice.class_id)
                 if family.student_id in acked for g in family.guardians]
    await uow.session.flush()
    return Withdrawn(notice, confirmed, was_posted=notice.publish_at <= uow.now)
