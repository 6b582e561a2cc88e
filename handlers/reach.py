"""Reaching guardians: privately where the platform lets us, else one group @-mention message.

Notices, meeting reminders and RSVP nudges all need the same fallback, and getting it subtly
different in each (who is mentioned, which dedupe key) would be a privacy and a flood risk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.events import ChatKind, ChatRef, Mention
from kit.context import Messenger
from models import GroupBinding
from services import identities, membership
from services.membership import Guardian
from services.outbox import Draft, Kind


def group_chat(binding: GroupBinding) -> ChatRef:
    return ChatRef(binding.channel, binding.chat_id, ChatKind.GROUP, binding.title)


async def private_chat_of(m: Messenger, person_id: int) -> ChatRef | None:
    for account in await identities.identities_of(m.uow, person_id):
        chat = identities.private_chat(account)
        if chat is not None:
            return chat
    return None


async def reach_guardians(m: Messenger, *, class_id: int, guardians: Iterable[Guardian],
                          key: str, private_text: Callable[[Guardian], str],
                          group_text: str | None, kind: Kind = Kind.NUDGE,
                          urgent: bool = False) -> list[Guardian]:
    """Message each guardian privately; those we cannot reach are @-mentioned together in one
    group message per bound group (skipped when `group_text` is None). Returns the unreached."""
    bindings = await membership.bindings_of(m.uow, class_id)
    mentions: dict[int, list[Mention]] = {b.id: [] for b in bindings}
    unreached: list[Guardian] = []
    for guardian in guardians:
        chat = await private_chat_of(m, guardian.person_id)
        # Where a group message is an option and the platform prefers it (WeChat: many private
        # messages in a row get an account restricted), everyone goes into that one message.
        if chat is not None and group_text is not None and m.group_nudges(chat.channel):
            chat = None
        if chat is not None:
            await m.send(Draft(chat=chat, kind=kind, urgent=urgent, class_id=class_id,
                               dedupe_key=f"{key}:{guardian.person_id}",
                               text=private_text(guardian)))
            continue
        unreached.append(guardian)
        accounts = await identities.identities_of(m.uow, guardian.person_id)
        for binding in bindings:
            mentions[binding.id] += [Mention(a.external_id, guardian.name) for a in accounts
                                     if a.channel == binding.channel]
    if group_text is None:
        return unreached
    for binding in bindings:
        if mentions[binding.id]:
            await m.send(Draft(chat=group_chat(binding), kind=kind, urgent=urgent,
                               class_id=class_id, mentions=tuple(mentions[binding.id]),
                               dedupe_key=f"{key}:group:{binding.id}", text=group_text))
    return unreached


async def post_to_groups(m: Messenger, *, class_id: int, key: str, text: str,
                         kind: Kind = Kind.BROADCAST, urgent: bool = False,
                         ref: tuple[str, int] | None = None,
                         buttons: tuple = ()) -> int:  # type: ignore[type-arg]
    """The same message in every group bound to the class; returns how many groups."""
    bindings = await membership.bindings_of(m.uow, class_id)
    for binding in bindings:
        await m.send(Draft(chat=group_chat(binding), text=text, kind=kind, urgent=urgent,
                           class_id=class_id, dedupe_key=f"{key}:{binding.id}",
                           buttons=buttons, ref_kind=ref[0] if ref else None,
                           ref_id=ref[1] if ref else None))
    return len(bindings)
