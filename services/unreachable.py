"""What happens when a private chat refuses the bot (blocked, never started, deleted).

The account is marked unreachable so later nudges go to the group at once; a nudge that was
already on its way is not lost: it is posted once in the class group(s) with an @-mention.
Only nudges fall back — other private messages (a mailbox reply, an unread list) may be
private matters and must never appear in a group.
"""

from __future__ import annotations

from sqlalchemy import select

from core.events import Mention
from models import Identity, OutboxMessage, Person
from services import class_groups, keys, outbox
from services.outbox import Draft, Kind
from services.reach import group_chat
from services.uow import UnitOfWork


async def private_chat_refused(uow: UnitOfWork, row: OutboxMessage, text: str) -> int:
    """Mark the accounts of this private chat unreachable; returns group fallbacks queued.

    `text` is the group wording of the nudge (the caller renders it from templates).
    """
    accounts = list((await uow.session.scalars(select(Identity).where(
        Identity.channel == row.channel, Identity.private_chat_id == row.chat_id))).all())
    for account in accounts:
        account.private_reachable = False
    if row.kind != Kind.NUDGE.value or row.class_id is None or not accounts:
        return 0
    mentions = []
    for account in accounts:
        person = await uow.session.get(Person, account.person_id) if account.person_id else None
        mentions.append(Mention(account.external_id,
                                person.display_name if person else account.display_name))
    queued = 0
    for binding in await class_groups.of_class(uow, row.class_id):
        if binding.channel != row.channel:
            continue
        queued += await outbox.enqueue(uow, Draft(
            chat=group_chat(binding),
            text=text, kind=Kind.NUDGE, urgent=row.urgent, class_id=row.class_id,
            mentions=tuple(mentions), dedupe_key=keys.group_fallback(row.id, binding.id)))
    return queued
