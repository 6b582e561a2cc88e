"""Private messages waiting for their reader: the bot could not write to the person yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class HeldMessage(Base):
    """A private message for a person none of whose accounts the bot may write to (Telegram and
    WeChat bots cannot open a private chat first). It is queued in the outbox the next time the
    person writes to the bot privately, instead of being dropped or posted in a group where it
    would tell everyone who is absent, unread or complaining. Rows past `expires_at` are never
    delivered (a reminder a week late would be wrong); delivered ones keep `released_at`.
    """

    __tablename__ = "held_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ref_kind: Mapped[str | None] = mapped_column(String(20))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
