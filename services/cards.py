"""Cards (a notice, a meeting) keep their tally line current by editing the sent message.

Why edits are outbox rows too: an edit is a platform call that can be rate limited or fail like
any send, and a burst of button presses must not become a burst of edits. One pending edit per
card is kept and its text overwritten by later presses (coalesced), and each new edit is due no
sooner than `edit_throttle_seconds` after the previous one (throttled). The target message id
is kept in the edit row's `sent_message_id`.

Every lookup here is by the exact `key_base` a card's posts (and, apart, its edits) share, an
index seek: the `dedupe_key LIKE 'prefix%'` it replaces scanned the whole outbox, so a 收到 cost
more the bigger the district (issue 14).
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import func, select, update

from models import OutboxMessage, Person
from services import directory, keys
from services.outbox import Kind
from services.sql import insert_if_absent
from services.uow import UnitOfWork


async def person_name(uow: UnitOfWork, person_id: int) -> str:
    """The card's signature line needs its author's name again when it is re-rendered."""
    person = await directory.row(uow, Person, person_id)
    return person.display_name if person else ""


async def sent_cards(uow: UnitOfWork, key_prefix: str) -> list[OutboxMessage]:
    """The delivered group posts of one card (one per bound group), by their dedupe key, so
    other posts about the same thing (a reminder, the minutes) are never overwritten."""
    return list((await uow.session.scalars(select(OutboxMessage).where(
        OutboxMessage.key_base == key_prefix, OutboxMessage.status == "sent",
        OutboxMessage.kind != Kind.EDIT.value,
        OutboxMessage.sent_message_id.is_not(None)).order_by(OutboxMessage.id))).all())


async def queue_edit(uow: UnitOfWork, card: OutboxMessage, text: str) -> None:
    """Make the card show `text` soon: overwrite a pending edit, or queue a throttled one."""
    base = keys.card_edits(card.id)
    overwritten = await uow.session.execute(
        update(OutboxMessage).where(OutboxMessage.key_base == base,
                                    OutboxMessage.status == "pending")
        .values(text=text).execution_options(synchronize_session=False))
    if (overwritten.rowcount or 0) > 0:  # type: ignore[attr-defined]
        return
    count, last_due = (await uow.session.execute(
        select(func.count(OutboxMessage.id), func.max(OutboxMessage.not_before))
        .where(OutboxMessage.key_base == base))).one()
    if last_due is not None and last_due.tzinfo is None:  # max() loses the column's type
        last_due = last_due.replace(tzinfo=UTC)
    throttle = timedelta(seconds=uow.config.telegram.edit_throttle_seconds)
    not_before = uow.now if last_due is None else max(uow.now, last_due + throttle)
    await insert_if_absent(uow.session, OutboxMessage, {
        "dedupe_key": keys.edit(card.id, count + 1),
        "channel": card.channel, "chat_id": card.chat_id, "chat_kind": card.chat_kind,
        "chat_title": card.chat_title, "text": text, "mentions": [],
        "buttons": card.buttons, "kind": Kind.EDIT.value, "urgent": card.urgent,
        "class_id": card.class_id, "ref_kind": card.ref_kind, "ref_id": card.ref_id,
        "status": "pending", "not_before": not_before, "attempts": 0, "parts_sent": 0,
        "sent_message_id": card.sent_message_id, "created_at": uow.now, "key_base": base,
    }, ["dedupe_key"])


async def refresh(uow: UnitOfWork, key_prefix: str, text: str) -> int:
    """Queue the new text for every delivered post of a card; returns how many."""
    cards = await sent_cards(uow, key_prefix)
    for card in cards:
        await queue_edit(uow, card, text)
    return len(cards)
