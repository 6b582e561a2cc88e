"""Pending questions: one open question per person and chat, with an expiry.

What a question asks and what its answers do is declared on the routers (kit/conversation.py);
this module only keeps the open one. Asking anew replaces the old one (the caller is told which,
to say so); an expired question is deleted by a due job, with anything it held (a parent's
unsent text), so nothing unsent is kept for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, delete, select

from core.events import ChatRef
from models import PendingQuestion
from services import jobs, keys
from services.uow import UnitOfWork

EXPIRY_JOB = "question_expiry"


@dataclass(frozen=True)
class Replaced:
    """The still-open question a newer one replaced."""

    name: str
    payload: dict[str, Any]


def _in_chat(person_id: int, chat: ChatRef) -> tuple[Any, ...]:
    return (PendingQuestion.person_id == person_id, PendingQuestion.channel == chat.channel,
            PendingQuestion.chat_id == chat.chat_id)


async def put(uow: UnitOfWork, *, person_id: int, chat: ChatRef, name: str, minutes: int,
              class_id: int | None = None, ref_id: int | None = None,
              payload: dict[str, Any] | None = None) -> Replaced | None:
    """Make this the person's open question in this chat; returns the one it replaced, if a
    different question was still open there (asking the same one again just renews it)."""
    old = await pending(uow, person_id, chat)
    uow.session.info.get(_NONE_OPEN, set()).discard((person_id, chat.channel, chat.chat_id))
    replaced = Replaced(old.name, dict(old.payload)) if old and old.name != name else None
    await uow.session.execute(delete(PendingQuestion).where(*_in_chat(person_id, chat)))
    row = PendingQuestion(person_id=person_id, channel=chat.channel, chat_id=chat.chat_id,
                          name=name, class_id=class_id, ref_id=ref_id, payload=payload or {},
                          created_at=uow.now, expires_at=uow.now + timedelta(minutes=minutes))
    uow.session.add(row)
    await uow.session.flush()
    # The expiry instant is in the key: a row id SQLite reuses after a replacement still gets
    # its own job (an expiry job deletes every question due by then, so none is missed).
    await jobs.schedule(uow, kind=EXPIRY_JOB, due_at=row.expires_at, ref_id=row.id,
                        key=keys.question_expiry(row.id, row.expires_at.isoformat()),
                        class_id=class_id)
    return replaced


def open_anywhere(person_id: ColumnElement[int | None], now: Any) -> ScalarSelect[int]:
    """The id of an open question of this person in any chat, as a column of a statement that
    runs anyway (the identity's upsert, a batch's at once: its rows' chats differ): most
    messages come from people who were asked nothing. `now` may be a value or a bound
    parameter (a statement built once)."""
    return (select(PendingQuestion.id).where(
        PendingQuestion.person_id == person_id, PendingQuestion.expires_at > now)
        .limit(1).scalar_subquery())


def none_open(uow: UnitOfWork, person_id: int, chat: ChatRef) -> None:
    """Remember for this transaction that the person has no open question in this chat."""
    uow.session.info.setdefault(_NONE_OPEN, set()).add((person_id, chat.channel, chat.chat_id))


_NONE_OPEN = "questions_none_open"  # session.info: (person, channel, chat) known to have none


async def pending(uow: UnitOfWork, person_id: int, chat: ChatRef) -> PendingQuestion | None:
    """The question still open for this person in this chat, if any."""
    if (person_id, chat.channel, chat.chat_id) in uow.session.info.get(_NONE_OPEN, ()):
        return None
    return (await uow.session.scalars(select(PendingQuestion).where(
        *_in_chat(person_id, chat), PendingQuestion.expires_at > uow.now))).first()


async def answered(uow: UnitOfWork, row: PendingQuestion) -> None:
    await uow.session.execute(delete(PendingQuestion).where(PendingQuestion.id == row.id))


async def forget(uow: UnitOfWork, person_id: int, name: str, ref_id: int | None = None) -> None:
    """Close this person's question `name` in every chat (about `ref_id`, when given): it was
    answered another way (a #评价 command, a button)."""
    conditions = [PendingQuestion.person_id == person_id, PendingQuestion.name == name]
    if ref_id is not None:
        conditions.append(PendingQuestion.ref_id == ref_id)
    await uow.session.execute(delete(PendingQuestion).where(*conditions))


async def expire(uow: UnitOfWork) -> int:
    """Forget every unanswered question whose time is up, and whatever text it held."""
    result = await uow.session.execute(
        delete(PendingQuestion).where(PendingQuestion.expires_at <= uow.now))
    return result.rowcount or 0  # type: ignore[attr-defined]
