"""Pending questions: what the bot asked one person in one chat and is waiting for.

The questions themselves (their choices and what an answer does) are declared on the routers
(kit/conversation.py); a row only remembers which one is open, for whom and until when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class PendingQuestion(Base):
    """One open question per person and chat (是/匿名/否, 满意/不满意, "reply 1 or 2").

    Asking another replaces it. Rows expire (a due job deletes them), so a parent's unsent text
    held in `payload` is not kept for good.
    """

    __tablename__ = "pending_questions"
    __table_args__ = (UniqueConstraint("person_id", "channel", "chat_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(40))  # the declared Question's name
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
