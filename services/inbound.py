"""De-duplication of incoming platform messages (webhook retries, reconnect replays)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from core.events import Event
from models import InboundMessage
from services import directory, sql
from services.uow import UnitOfWork

_CLAIMED = "inbound_claimed"  # session.info: message key → claimed by claim_many


async def claim(uow: UnitOfWork, event: Event) -> bool:
    """True the first time this platform message is seen; False for a redelivery.

    The same statement reads the directory's stamp (services/directory.py), so a new event
    learns whether the process's cache is current without a statement of its own. An event
    of a batch whose claims were made together (`claim_many`) costs no statement here."""
    ahead = uow.session.info.get(_CLAIMED)
    if ahead is not None and (claimed := ahead.pop(_key(event), None)) is not None:
        return claimed
    return bool(await claim_many(uow, [event]))


async def claim_many(uow: UnitOfWork, events: Sequence[Event]) -> list[Event]:
    """Claim a batch's messages in one statement (per power-of-two chunk); returns the events
    seen for the first time. `claim` then answers for each of them from memory. A message
    twice in the batch is claimed by its first copy; the second asks the database again (and
    finds it taken), as it would have arriving alone."""
    firsts: dict[tuple[str, str, str], Event] = {}
    for event in events:
        firsts.setdefault(_key(event), event)
    rows = await _CLAIM.rows(uow.session, [
        {"channel": e.channel, "chat_id": e.chat.chat_id, "message_id": e.message_id,
         "received_at": uow.now} for e in firsts.values()])
    if rows:
        directory.note_stamp(uow, rows[0][3])
    new = {(channel, chat_id, message_id) for channel, chat_id, message_id, _ in rows}
    if len(events) > 1:
        uow.session.info.setdefault(_CLAIMED, {}).update(
            {key: key in new for key in firsts})
    return [event for key, event in firsts.items() if key in new]


def _key(event: Event) -> tuple[str, str, str]:
    return event.channel, event.chat.chat_id, event.message_id


_NAMES = ("channel", "chat_id", "message_id", "received_at")


def _claim_statement(dialect: str, rows: int) -> Any:
    """Built once per dialect and row count with bound parameters (it runs for every incoming
    message), on the table rather than the mapped class: the ORM's bulk-insert path cost more
    CPU than the statement itself."""
    table = InboundMessage.__table__
    return ((postgresql if dialect == "postgresql" else sqlite).insert(table)
            .values(sql.row_binds(table, _NAMES, rows))
            .on_conflict_do_nothing(index_elements=["channel", "chat_id", "message_id"])
            .returning(table.c.channel, table.c.chat_id, table.c.message_id,
                       directory.stamp_column()))


_CLAIM = sql.PreparedRows(_claim_statement)
