"""Platform accounts: who wrote, whether the bot may write to them privately, and the person
each belongs to (one person may have an account on every channel)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal_column, select, true

from core.config import PersonSeed
from core.events import ChatKind, ChatRef, Event
from models import Identity, Person
from services import questions
from services.sql import dialect_insert
from services.uow import UnitOfWork


async def by_account(uow: UnitOfWork, channel: str, external_id: str) -> Identity | None:
    return (await uow.session.scalars(select(Identity).where(
        Identity.channel == channel, Identity.external_id == external_id))).first()


async def touch(uow: UnitOfWork, event: Event, *, reachable_without_contact: bool) -> Identity:
    """Record the sender (name seen, last seen, private reachability) and return the account.

    A private message proves the bot can answer privately; on platforms that need that first
    contact (WeChat, Telegram) nobody else is reachable until then.
    One statement (INSERT … ON CONFLICT DO UPDATE … RETURNING) whether the account is new or
    known: this runs for every incoming message. Its RETURNING also says whether the person has
    an open question in this chat (services/questions.py), so most messages skip that lookup.
    """
    sender = event.sender
    table = Identity.__table__.c
    stmt = dialect_insert(uow.session, Identity)
    new = stmt.excluded
    changes: dict[str, Any] = {
        "display_name": func.coalesce(func.nullif(new.display_name, ""), table.display_name),
        "last_seen_at": new.last_seen_at,
    }
    private_chat_id: str | None = None
    if event.chat.kind is ChatKind.PRIVATE:
        private_chat_id = event.chat.chat_id
        changes |= {"private_chat_id": new.private_chat_id, "private_reachable": true()}
    elif reachable_without_contact:
        private_chat_id = sender.user_id
        unset = func.coalesce(table.private_chat_id, "") == ""
        changes |= {
            "private_chat_id": case((unset, new.private_chat_id), else_=table.private_chat_id),
            "private_reachable": case((unset, true()), else_=table.private_reachable),
        }
    stmt = (stmt.values(channel=sender.channel, external_id=sender.user_id,
                        display_name=sender.display_name, private_chat_id=private_chat_id,
                        private_reachable=private_chat_id is not None, last_seen_at=uow.now)
            .on_conflict_do_update(index_elements=["channel", "external_id"], set_=changes)
            .returning(Identity, questions.open_in(
                literal_column("identities.person_id"), uow.now, event.chat)))
    identity, question = (await uow.session.execute(
        stmt, execution_options={"populate_existing": True})).one()
    if identity.person_id is not None and question is None:
        questions.none_open(uow, identity.person_id, event.chat)
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
