"""Private messages the bot could not deliver yet, kept until their reader writes privately.

Telegram and WeChat bots cannot open a private chat: until a parent has written to the bot
once, a private message to them cannot go out. Rather than dropping it (a mailbox answer the
staff member believes delivered) or posting it in the group (which tells everyone who missed a
meeting or has not read a notice), it is held here and queued in the outbox, to the chat they
wrote from, the next time they write to the bot privately (`release`, from the pipeline).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_, select

from core.events import Button, ChatKind, ChatRef
from models import HeldMessage, Identity
from models.base import UTCDateTime
from services import keys, outbox
from services.outbox import Draft, Kind
from services.sql import Prepared, insert_if_absent
from services.uow import UnitOfWork

# How long a held reminder (a nudge for an unread notice) stays worth delivering: a day later
# the notice has its second round and the author knows who is missing.
REMINDER_HOLD = timedelta(days=1)


async def hold(uow: UnitOfWork, person_id: int, text: str, *, key: str, kind: Kind,
               class_id: int | None, buttons: tuple[Button, ...] = (),
               ref: tuple[str, int] | None = None, expires_at: datetime | None = None) -> bool:
    """Keep a private message for `person_id`; False if this key was held before."""
    new_id = await insert_if_absent(uow.session, HeldMessage, {
        "dedupe_key": key, "person_id": person_id, "class_id": class_id, "kind": kind.value,
        "text": text, "buttons": [[b.label, b.action] for b in buttons],
        "ref_kind": ref[0] if ref else None, "ref_id": ref[1] if ref else None,
        "created_at": uow.now, "expires_at": expires_at}, unique=["dedupe_key"])
    return new_id is not None


def _still_held(person_id: Any, now: Any) -> list[ColumnElement[bool]]:
    return [HeldMessage.person_id == person_id, HeldMessage.released_at.is_(None),
            or_(HeldMessage.expires_at.is_(None), HeldMessage.expires_at > now)]


# Every private message asks; almost always nothing is held: one precompiled look first
# (services/sql.Prepared), the rows as objects only when there are some.
_ANY = Prepared(lambda _dialect: select(HeldMessage.__table__.c.id).where(
    *_still_held(bindparam("person_id"), bindparam("now", type_=UTCDateTime))).limit(1))


async def waiting(uow: UnitOfWork, person_id: int) -> list[HeldMessage]:
    """What is held for the person and still worth delivering, oldest first."""
    if not await _ANY.rows(uow.session, {"person_id": person_id, "now": uow.now}):
        return []
    return list((await uow.session.scalars(select(HeldMessage).where(
        *_still_held(person_id, uow.now)).order_by(HeldMessage.id))).all())


async def release(uow: UnitOfWork, identity: Identity, chat: ChatRef) -> int:
    """The person behind `identity` just wrote privately in `chat`: queue what was held for
    them there. Returns how many messages were queued."""
    if identity.person_id is None or chat.kind is not ChatKind.PRIVATE:
        return 0
    queued = 0
    for row in await waiting(uow, identity.person_id):
        row.released_at = uow.now
        # As an answer to what they just wrote: at once, even in quiet hours.
        queued += await outbox.enqueue(uow, Draft(
            chat=chat, text=row.text, kind=Kind.REPLY, class_id=row.class_id,
            dedupe_key=keys.held_release(row.id),
            buttons=tuple(Button(label, action) for label, action in row.buttons),
            ref_kind=row.ref_kind, ref_id=row.ref_id))
    return queued
