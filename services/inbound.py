"""De-duplication of incoming platform messages (webhook retries, reconnect replays)."""

from __future__ import annotations

from core.events import Event
from models import InboundMessage
from services.sql import insert_if_absent
from services.uow import UnitOfWork


async def claim(uow: UnitOfWork, event: Event) -> bool:
    """True the first time this platform message is seen; False for a redelivery."""
    new_id = await insert_if_absent(
        uow.session,
        InboundMessage,
        {"channel": event.channel, "chat_id": event.chat.chat_id,
         "message_id": event.message_id, "received_at": uow.now},
        ["channel", "chat_id", "message_id"],
    )
    return new_id is not None
