"""Platform accounts: who wrote, and whether the bot may write to them privately."""

from __future__ import annotations

from sqlalchemy import select

from core.events import ChatKind, ChatRef, Event
from models import Identity
from services.uow import UnitOfWork


async def touch(uow: UnitOfWork, event: Event, *, reachable_without_contact: bool) -> Identity:
    """Record the sender (name seen, last seen, private reachability) and return the account.

    A private message proves the bot can answer privately; on platforms that need that first
    contact (WeChat, Telegram) nobody else is reachable until then.
    """
    sender = event.sender
    identity = (await uow.session.scalars(select(Identity).where(
        Identity.channel == sender.channel, Identity.external_id == sender.user_id))).first()
    if identity is None:
        identity = Identity(channel=sender.channel, external_id=sender.user_id,
                            display_name=sender.display_name, private_reachable=False)
        uow.session.add(identity)
    identity.display_name = sender.display_name or identity.display_name
    identity.last_seen_at = uow.now
    if event.chat.kind is ChatKind.PRIVATE:
        identity.private_chat_id = event.chat.chat_id
        identity.private_reachable = True
    elif reachable_without_contact and not identity.private_chat_id:
        identity.private_chat_id = sender.user_id
        identity.private_reachable = True
    await uow.session.flush()
    return identity


def private_chat(identity: Identity, title: str | None = None) -> ChatRef | None:
    """Where to write to this account privately, or None if the platform won't let us."""
    if not identity.private_reachable or not identity.private_chat_id:
        return None
    return ChatRef(identity.channel, identity.private_chat_id, ChatKind.PRIVATE,
                   title or identity.display_name)


async def identities_of(uow: UnitOfWork, person_id: int) -> list[Identity]:
    return list((await uow.session.scalars(
        select(Identity).where(Identity.person_id == person_id).order_by(Identity.id))).all())
