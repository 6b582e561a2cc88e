"""Reaching people: privately where the platform lets us, else one group @-mention message.

Notices and meetings tell guardians one way, `tell_guardians`: getting it subtly different in
each (who is mentioned, which dedupe key, whether a platform's preference for one group message
is honoured) would be a privacy and a flood risk. Mailbox and #私信 messages use `tell_person`,
which never falls back to a group: they may be private matters.

Whom the bot cannot write to privately is never named in a group together with why: a group
fallback @-mentions them under a text that says nothing about the reason (the caller renders a
neutral "please write to me once"), and what they should have read privately is held for them
(services/held.py) and delivered the next time they write privately. Logs name a person by a
salted tag (core/privacy.py), never by id, and never beside the key (which may name a letter).

The caller renders the texts (templates belong to the handlers) and passes itself as the
`Sender` (kit.context.Messenger is one), so everything is queued in its unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from core.events import Button, ChatKind, ChatRef, Mention
from core.privacy import person_tag
from models import GroupBinding, Identity
from services import class_groups, held, identities, keys
from services.guardians import Guardian
from services.outbox import Draft, Kind
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


class Sender(Protocol):
    """What reaching needs from its caller: the unit of work, a way to queue a message, and
    whether a channel would rather have one group message than many private ones."""

    uow: UnitOfWork

    async def send(self, draft: Draft) -> bool: ...

    def group_nudges(self, channel: str) -> bool: ...


def group_chat(binding: GroupBinding) -> ChatRef:
    return ChatRef(binding.channel, binding.chat_id, ChatKind.GROUP, binding.title)


async def _private(uow: UnitOfWork, person_id: int) -> tuple[Identity, ChatRef] | None:
    """The first of the person's accounts the bot may write to privately, and that chat."""
    for account in await identities.identities_of(uow, person_id):
        chat = identities.private_chat(account)
        if chat is not None:
            return account, chat
    return None


async def private_chat_of(uow: UnitOfWork, person_id: int) -> ChatRef | None:
    found = await _private(uow, person_id)
    return found[1] if found else None


async def tell_guardians(m: Sender, *, class_id: int, guardians: Iterable[Guardian], key: str,
                         private_text: Callable[[Guardian], str], group_text: str | None,
                         kind: Kind = Kind.NUDGE, urgent: bool = False,
                         ref: tuple[str, int] | None = None, hold: bool = False,
                         hold_until: datetime | None = None) -> list[Guardian]:
    """Tell each guardian privately; those we cannot reach are @-mentioned together in one
    message per bound group, or, when `group_text` is None, not at all (the caller says so, or
    a group post covers them). `group_text` must not say why they are mentioned (which families
    are absent or unread is nobody else's business). With `hold`, what they should have read is
    kept for them until `hold_until` (None: for good) and sent when they next write privately.
    Returns the guardians not reached privately.

    `ref` is what the message asks about (a notice, a burst of notices, a meeting): a bare
    收到 sent privately right after it means that item (services/answering.py)."""
    bindings = await class_groups.of_class(m.uow, class_id) if group_text is not None else []
    mentions: dict[int, list[Mention]] = {b.id: [] for b in bindings}
    unreached: list[Guardian] = []
    for guardian in guardians:
        chat = await private_chat_of(m.uow, guardian.person_id)
        # Where a group message is an option and the platform prefers it (WeChat: many private
        # messages in a row get an account restricted), everyone goes into that one message.
        if chat is not None and group_text is not None and m.group_nudges(chat.channel):
            chat = None
        if chat is not None:
            await m.send(Draft(chat=chat, kind=kind, urgent=urgent, class_id=class_id,
                               dedupe_key=keys.to_person(key, guardian.person_id),
                               text=private_text(guardian), ref_kind=ref[0] if ref else None,
                               ref_id=ref[1] if ref else None))
            continue
        unreached.append(guardian)
        if hold:
            await held.hold(m.uow, guardian.person_id, private_text(guardian), kind=kind,
                            key=keys.to_person(key, guardian.person_id), class_id=class_id,
                            expires_at=hold_until)
        if bindings:
            accounts = await identities.identities_of(m.uow, guardian.person_id)
            for binding in bindings:
                mentions[binding.id] += [Mention(a.external_id, guardian.name) for a in accounts
                                         if a.channel == binding.channel]
    for binding in bindings:
        if mentions[binding.id] and group_text is not None:
            await m.send(Draft(chat=group_chat(binding), kind=kind, urgent=urgent,
                               class_id=class_id, mentions=tuple(mentions[binding.id]),
                               dedupe_key=keys.group_mentions(key, binding.id),
                               text=group_text))
    return unreached


class Reached(StrEnum):
    """What became of a private message (`tell_person`)."""

    QUEUED = "queued"  # on its way to one of the person's private chats
    HELD = "held"  # kept: it goes out when they next write to the bot privately
    NOT_SENT = "not_sent"  # no private chat and not held (the record is in the database)

    def __bool__(self) -> bool:
        return self is Reached.QUEUED


async def tell_person(m: Sender, person_id: int, text: str, *, key: str,
                      class_id: int | None, urgent: bool = False,
                      not_before: datetime | None = None, buttons: tuple[Button, ...] = (),
                      ref: tuple[str, int] | None = None, hold: bool = False) -> Reached:
    """Queue a private message, never a group one. Where none of the person's accounts can be
    written to, it is held for their next private message (`hold`), or not sent (they will
    find it with #信箱 / #我的信箱: the record is in the database)."""
    found = await _private(m.uow, person_id)
    if found is None:
        # Never the person id or the key: together with a ticket code in the key they would
        # tie an anonymous letter to its sender in the log.
        log.info("no private chat for person %s: message %s", person_tag(person_id),
                 "held" if hold else "not sent")
        if hold:
            await held.hold(m.uow, person_id, text, key=key, kind=Kind.RELAY,
                            class_id=class_id, buttons=buttons, ref=ref)
            return Reached.HELD
        return Reached.NOT_SENT
    account, chat = found
    await m.send(Draft(chat=chat, text=text, kind=Kind.RELAY, urgent=urgent,
                       dedupe_key=keys.to_account(key, account.id), class_id=class_id,
                       not_before=not_before, buttons=buttons,
                       ref_kind=ref[0] if ref else None, ref_id=ref[1] if ref else None))
    return Reached.QUEUED


async def post_to_groups(m: Sender, *, class_id: int, key: str, text: str,
                         kind: Kind = Kind.BROADCAST, urgent: bool = False,
                         ref: tuple[str, int] | None = None,
                         buttons: tuple[Button, ...] = ()) -> int:
    """The same message in every group bound to the class; returns how many groups."""
    drafts = group_posts(await class_groups.of_class(m.uow, class_id), class_id=class_id,
                         key=key, text=text, kind=kind, urgent=urgent, ref=ref, buttons=buttons)
    for draft in drafts:
        await m.send(draft)
    return len(drafts)


def group_posts(bindings: Iterable[GroupBinding], *, class_id: int, key: str, text: str,
                kind: Kind = Kind.BROADCAST, urgent: bool = False,
                ref: tuple[str, int] | None = None,
                buttons: tuple[Button, ...] = ()) -> list[Draft]:
    """`post_to_groups`'s drafts, for a caller that read the bindings and queues in bulk."""
    return [Draft(chat=group_chat(binding), text=text, kind=kind, urgent=urgent,
                  class_id=class_id, dedupe_key=keys.in_group(key, binding.id),
                  key_base=keys.posts_of(key), buttons=buttons,
                  ref_kind=ref[0] if ref else None, ref_id=ref[1] if ref else None)
            for binding in bindings]
