"""De-duplication of incoming platform messages (webhook retries, reconnect replays)."""

from __future__ import annotations

from core.events import Event
from models import InboundMessage
from services import directory
from services.sql import dialect_insert
from services.uow import UnitOfWork


async def claim(uow: UnitOfWork, event: Event) -> bool:
    """True the first time this platform message is seen; False for a redelivery.

    The same statement reads the directory's stamp (services/directory.py), so a new event
    learns whether the process's cache is current without a statement of its own."""
    stmt = (dialect_insert(uow.session, InboundMessage)
            .values(channel=event.channel, chat_id=event.chat.chat_id,
                    message_id=event.message_id, received_at=uow.now)
            .on_conflict_do_nothing(index_elements=["channel", "chat_id", "message_id"])
            .returning(InboundMessage.id, directory.stamp_column()))
    row = (await uow.session.execute(stmt)).first()
    if row is None:
        return False
    directory.note_stamp(uow, row[1])
    return True
