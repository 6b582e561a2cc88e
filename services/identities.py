"""Platform accounts: who wrote, whether the bot may write to them privately, and the person
each belongs to (one person may have an account on every channel)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, case, func, literal_column, select, true
from sqlalchemy.dialects import postgresql, sqlite

from core.config import PersonSeed
from core.events import ChatKind, ChatRef, Event
from models import Identity, Person
from services import questions, sql
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
    if event.chat.kind is ChatKind.PRIVATE:
        variant, private_chat_id = _PRIVATE, event.chat.chat_id
    elif reachable_without_contact:
        variant, private_chat_id = _REACHABLE, sender.user_id
    else:
        variant, private_chat_id = _GROUP, None
    *values, question = (await _TOUCH[variant].rows(uow.session, {
        "channel": sender.channel, "external_id": sender.user_id,
        "display_name": sender.display_name, "private_chat_id": private_chat_id,
        "private_reachable": private_chat_id is not None, "last_seen_at": uow.now,
        "q_now": uow.now, "q_channel": event.chat.channel, "q_chat_id": event.chat.chat_id,
    }))[0]
    identity = sql.attached(uow.session, Identity, dict(zip(_COLUMNS, values, strict=True)))
    if identity.person_id is not None and question is None:
        questions.none_open(uow, identity.person_id, event.chat)
    return identity


_PRIVATE, _REACHABLE, _GROUP = "private", "reachable", "group"
_COLUMNS = tuple(c.key for c in Identity.__table__.c)


def _touch_statement(dialect: str, variant: str) -> Any:
    """The identity upsert, built once per dialect and kind of chat with bound parameters:
    building it anew for every message cost more Python time than running it (issue 14)."""
    table = Identity.__table__.c
    # On the table, not the mapped class: the ORM's insert-returning-entity path cost 5× the
    # statement (services/sql.run); services/sql.attached makes the row an Identity again.
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(Identity.__table__)
    new = stmt.excluded
    changes: dict[str, Any] = {
        "display_name": func.coalesce(func.nullif(new.display_name, ""), table.display_name),
        "last_seen_at": new.last_seen_at,
    }
    if variant == _PRIVATE:
        changes |= {"private_chat_id": new.private_chat_id, "private_reachable": true()}
    elif variant == _REACHABLE:
        unset = func.coalesce(table.private_chat_id, "") == ""
        changes |= {
            "private_chat_id": case((unset, new.private_chat_id), else_=table.private_chat_id),
            "private_reachable": case((unset, true()), else_=table.private_reachable),
        }
    names = ("channel", "external_id", "display_name", "private_chat_id", "private_reachable",
             "last_seen_at")
    return (stmt.values({name: bindparam(name) for name in names})
            .on_conflict_do_update(index_elements=["channel", "external_id"], set_=changes)
            .returning(*Identity.__table__.c, questions.open_in(
                literal_column("identities.person_id"), bindparam("q_now"),
                bindparam("q_channel"), bindparam("q_chat_id"))))


_TOUCH = {variant: sql.Prepared(functools.partial(_touch_statement, variant=variant))
          for variant in (_PRIVATE, _REACHABLE, _GROUP)}


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
