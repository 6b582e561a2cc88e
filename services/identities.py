"""Platform accounts: who wrote, whether the bot may write to them privately, and the person
each belongs to (one person may have an account on every channel)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, case, func, literal_column, select, true
from sqlalchemy import event as orm_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.session import ORMExecuteState

from core.config import PersonSeed
from core.events import ChatKind, ChatRef, Event
from models import Identity, PendingQuestion, Person
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
    an open question anywhere (services/questions.py), so most messages skip that lookup. An
    event whose sender a batch touched ahead (`touch_many`) costs no statement here.
    """
    ahead = await _touched_ahead(uow)
    if ahead is not None and (row := ahead.pop(_event_key(event), None)) is not None:
        return _attach(uow, event, row)
    rows = await _TOUCH[_variant(event, reachable_without_contact)].rows(
        uow.session, [_values(uow, event, reachable_without_contact)], {"q_now": uow.now})
    return _attach(uow, event, rows[0])


async def touch_many(uow: UnitOfWork, events: Sequence[tuple[Event, bool]]) -> None:
    """Touch the senders of a batch of messages (each with its `reachable_without_contact`)
    in one statement per kind of chat, ahead of handling them; `touch` then takes each
    event's row from memory.

    What an event of the batch writes could change what a later one reads — a #任课 makes an
    account a teacher, a question asked opens one for someone — so the rows read ahead are
    dropped as soon as this transaction writes the identities or the open questions, and the
    events after it touch their senders themselves, as they would have arriving alone. An
    account is in the statement once (an upsert may not change a row twice in one statement);
    its later messages share the row when they would write the same values, and touch it
    themselves when not (a new name, a private message after a group one)."""
    chosen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    sharing: dict[tuple[str, str], list[Event]] = {}
    for arrival, reachable in events:
        account = (arrival.sender.channel, arrival.sender.user_id)
        variant, values = _variant(arrival, reachable), _values(uow, arrival, reachable)
        if chosen.setdefault(account, (variant, values)) == (variant, values):
            sharing.setdefault(account, []).append(arrival)
    by_variant: dict[str, list[dict[str, Any]]] = {}
    for variant, values in chosen.values():
        by_variant.setdefault(variant, []).append(values)
    ahead: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for variant, rows in by_variant.items():
        for row in await _TOUCH[variant].rows(uow.session, rows, {"q_now": uow.now}):
            for arrival in sharing[(row[_CHANNEL], row[_EXTERNAL_ID])]:
                ahead[_event_key(arrival)] = row
    uow.session.info[_AHEAD] = ahead


async def _touched_ahead(uow: UnitOfWork) -> dict[tuple[str, str, str], tuple[Any, ...]] | None:
    """The rows `touch_many` read, while they are still what the database holds."""
    if _AHEAD not in uow.session.info:
        return None
    if not uow.session.sync_session._is_clean():
        await uow.session.flush()  # an account changed in memory drops them (the listeners)
    return uow.session.info.get(_AHEAD)


def _attach(uow: UnitOfWork, event: Event, row: tuple[Any, ...]) -> Identity:
    *values, question = row
    identity = sql.attached(uow.session, Identity, dict(zip(_COLUMNS, values, strict=True)))
    if identity.person_id is not None and question is None:
        questions.none_open(uow, identity.person_id, event.chat)
    return identity


def _variant(event: Event, reachable_without_contact: bool) -> str:
    if event.chat.kind is ChatKind.PRIVATE:
        return _PRIVATE
    return _REACHABLE if reachable_without_contact else _GROUP


def _values(uow: UnitOfWork, event: Event, reachable_without_contact: bool) -> dict[str, Any]:
    sender = event.sender
    if event.chat.kind is ChatKind.PRIVATE:
        private_chat_id: str | None = event.chat.chat_id
    else:
        private_chat_id = sender.user_id if reachable_without_contact else None
    return {"channel": sender.channel, "external_id": sender.user_id,
            "display_name": sender.display_name, "private_chat_id": private_chat_id,
            "private_reachable": private_chat_id is not None, "last_seen_at": uow.now}


def _event_key(event: Event) -> tuple[str, str, str]:
    return event.channel, event.chat.chat_id, event.message_id


_PRIVATE, _REACHABLE, _GROUP = "private", "reachable", "group"
_COLUMNS = tuple(c.key for c in Identity.__table__.c)
_CHANNEL, _EXTERNAL_ID = _COLUMNS.index("channel"), _COLUMNS.index("external_id")
_NAMES = ("channel", "external_id", "display_name", "private_chat_id", "private_reachable",
          "last_seen_at")
_AHEAD = "identities_touched_ahead"  # session.info: event key → its sender's row (touch_many)


def _touch_statement(dialect: str, rows: int, variant: str) -> Any:
    """The identity upsert, built once per dialect, kind of chat and row count with bound
    parameters: building it anew for every message cost more Python time than running it
    (issue 14)."""
    table = Identity.__table__
    columns = table.c
    # On the table, not the mapped class: the ORM's insert-returning-entity path cost 5× the
    # statement (services/sql.run); services/sql.attached makes the row an Identity again.
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    new = stmt.excluded
    changes: dict[str, Any] = {
        "display_name": func.coalesce(func.nullif(new.display_name, ""), columns.display_name),
        "last_seen_at": new.last_seen_at,
    }
    if variant == _PRIVATE:
        changes |= {"private_chat_id": new.private_chat_id, "private_reachable": true()}
    elif variant == _REACHABLE:
        unset = func.coalesce(columns.private_chat_id, "") == ""
        changes |= {
            "private_chat_id": case((unset, new.private_chat_id), else_=columns.private_chat_id),
            "private_reachable": case((unset, true()), else_=columns.private_reachable),
        }
    return (stmt.values(sql.row_binds(table, _NAMES, rows))
            .on_conflict_do_update(index_elements=["channel", "external_id"], set_=changes)
            .returning(*columns, questions.open_anywhere(
                literal_column("identities.person_id"), bindparam("q_now"))))


_TOUCH = {variant: sql.PreparedRows(functools.partial(_touch_statement, variant=variant))
          for variant in (_PRIVATE, _REACHABLE, _GROUP)}


def _drop_ahead(session: Session) -> None:
    session.info.pop(_AHEAD, None)


_READ_AHEAD_FROM = (Identity, PendingQuestion)  # a write to these drops the rows read ahead


@orm_event.listens_for(Session, "after_flush")
def _identities_flushed(session: Session, _context: Any) -> None:
    if _AHEAD in session.info and any(isinstance(o, _READ_AHEAD_FROM) for o in
                                      chain(session.new, session.dirty, session.deleted)):
        _drop_ahead(session)


@orm_event.listens_for(Session, "do_orm_execute")
def _identities_written(state: ORMExecuteState) -> None:
    if (_AHEAD in state.session.info and (state.is_insert or state.is_update or state.is_delete)
            and getattr(getattr(state.statement, "table", None), "name", None)
            in _READ_AHEAD_TABLES):
        _drop_ahead(state.session)


_READ_AHEAD_TABLES = frozenset(model.__tablename__ for model in _READ_AHEAD_FROM)


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
