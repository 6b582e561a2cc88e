"""What happens when a private chat refuses the bot (blocked, never started, deleted).

The account is marked unreachable so later nudges go to the group at once; a nudge that was
already on its way is not lost: it is held for the person (services/held.py) and sent when
they next write privately, and a nudge also gets one @-mention in the class group(s) under a
text that does not say what it is about (which families have not read a notice is nobody
else's business). A refused relay (a mailbox answer) is held the same way but never mentioned
in a group: it may be a private matter.
"""

from __future__ import annotations

from sqlalchemy import select

from core.events import Button, Mention
from models import Identity, OutboxMessage, Person
from services import class_groups, held, keys, outbox
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
    await _hold_for_later(uow, row, accounts)
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


async def _hold_for_later(uow: UnitOfWork, row: OutboxMessage, accounts: list[Identity]) -> None:
    """Nudges (for a day) and relays (for good) wait for the person's next private message."""
    if row.kind not in (Kind.NUDGE.value, Kind.RELAY.value):
        return
    expires = uow.now + held.REMINDER_HOLD if row.kind == Kind.NUDGE.value else None
    for person_id in dict.fromkeys(a.person_id for a in accounts if a.person_id is not None):
        await held.hold(uow, person_id, row.text, key=row.dedupe_key, kind=Kind(row.kind),
                        class_id=row.class_id, ref=(row.ref_kind, row.ref_id)
                        if row.ref_kind and row.ref_id is not None else None,
                        buttons=tuple(Button(label, action) for label, action in row.buttons),
                        expires_at=expires)
