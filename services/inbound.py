"""De-duplication of incoming platform messages (webhook retries, reconnect replays)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from core.events import Event
from models import InboundMessage
from services import directory, sql
from services.uow import UnitOfWork


async def claim(uow: UnitOfWork, event: Event) -> bool:
    """True the first time this platform message is seen; False for a redelivery.

    The same statement reads the directory's stamp (services/directory.py), so a new event
    learns whether the process's cache is current without a statement of its own."""
    rows = await _CLAIM.rows(uow.session, {
        "channel": event.channel, "chat_id": event.chat.chat_id,
        "message_id": event.message_id, "received_at": uow.now})
    if not rows:
        return False
    directory.note_stamp(uow, rows[0][1])
    return True


def _claim_statement(dialect: str) -> Any:
    """Built once per dialect with bound parameters (it runs for every incoming message), on
    the table rather than the mapped class: the ORM's bulk-insert path cost more CPU than the
    statement itself."""
    names = ("channel", "chat_id", "message_id", "received_at")
    return ((postgresql if dialect == "postgresql" else sqlite).insert(InboundMessage.__table__)
            .values({name: bindparam(name) for name in names})
            .on_conflict_do_nothing(index_elements=["channel", "chat_id", "message_id"])
            .returning(InboundMessage.__table__.c.id, directory.stamp_column()))


_CLAIM = sql.Prepared(_claim_statement)
