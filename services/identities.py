"""Platform accounts: who wrote, whether the bot may write to them privately, and the person
each belongs to (one person may have an account on every channel)."""

from __future__ import annotations

from sqlalchemy import select

from core.config import PersonSeed
from core.events import ChatKind, ChatRef, Event
from models import Identity, Person
from services.uow import UnitOfWork


async def by_account(uow: UnitOfWork, channel: str, external_id: str) -> Identity | None:
    return (await uow.session.scalars(select(Identity).where(
        Identity.channel == channel, Identity.external_id == external_id))).first()


async def touch(uow: UnitOfWork, event: Event, *, reachable_without_contact: bool) -> Identity:
    """Record the sender (name seen, last seen, private reachability) and return the account.

    A private message proves the bot can answer privately; on platforms that need that first
    contact (WeChat, Telegram) nobody else is reachable until then.
    """
    sender = event.sender
    identity = await by_account(uow, sender.channel, sender.user_id)
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


async def person_with_ids(uow: UnitOfWork, seed: PersonSeed, channels: list[str]) -> Person:
    """Find or create a staff member from config, linking each platform id given."""
    links = [(channel, external_id) for channel in dict.fromkeys([*channels, *seed.ids])
             if (external_id := seed.id_on(channel))]
    person: Person | None = None
    for channel, external_id in links:
        identity = await by_account(uow, channel, external_id)
        if identity and identity.person_id:
            person = await uow.session.get(Person, identity.person_id)
            break
    if person is None:
        person = Person(display_name=seed.name, created_at=uow.now)
        uow.session.add(person)
        await uow.session.flush()
    for channel, external_id in links:
        identity = await by_account(uow, channel, external_id)
        if identity is None:
            identity = Identity(channel=channel, external_id=external_id,
                                display_name=seed.name, private_reachable=False)
            uow.session.add(identity)
        identity.person_id = person.id
    await uow.session.flush()
    return person
