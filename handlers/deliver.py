"""Writing to a person (not an account): the first of their accounts the bot may reach."""

from __future__ import annotations

import logging
from datetime import datetime

from core.events import Button
from kit.context import Messenger
from services import identities
from services.outbox import Draft, Kind

log = logging.getLogger(__name__)


async def tell_person(m: Messenger, person_id: int, text: str, *, key: str,
                      class_id: int | None, urgent: bool = False,
                      not_before: datetime | None = None, buttons: tuple[Button, ...] = (),
                      ref: tuple[str, int] | None = None) -> bool:
    """Queue a private message; False if none of the person's accounts can be written to
    (they will find it with #信箱 / #我的信箱: the record is in the database, not the message)."""
    for identity in await identities.identities_of(m.uow, person_id):
        chat = identities.private_chat(identity)
        if chat is None:
            continue
        await m.send(Draft(chat=chat, text=text, kind=Kind.RELAY, urgent=urgent,
                           dedupe_key=f"{key}:to:{identity.id}", class_id=class_id,
                           not_before=not_before, buttons=buttons,
                           ref_kind=ref[0] if ref else None, ref_id=ref[1] if ref else None))
        return True
    log.warning("no private chat for person %s (%s)", person_id, key)
    return False
