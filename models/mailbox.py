"""The class mailbox (家长信箱): tickets, their threads, and the school-level roles (校长) that
receive #校长信箱 letters. (Questions the mailbox asks — submit this? rate it? — are pending
questions: models/questions.py.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class SchoolRole(Base):
    """A person with a role above the classes (the principal): seeded from config."""

    __tablename__ = "school_roles"
    __table_args__ = (UniqueConstraint("person_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class Ticket(Base):
    """One letter to the mailbox.

    `sender_id` is kept only to relay answers back: staff-facing views read `anonymous` and
    never show it. `series` numbers tickets per class ("class:3") or school-wide ("school").
    """

    __tablename__ = "mailbox_tickets"
    __table_args__ = (UniqueConstraint("series", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    series: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(12))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    origin: Mapped[str] = mapped_column(String(10))  # class | school: where it was first sent
    level: Mapped[str] = mapped_column(String(10))  # class | school: who handles it now
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(12))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(12))
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    sla_epoch: Mapped[int] = mapped_column(Integer, default=0)
    sla_since: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketEntry(Base):
    """The thread: the parent's additions carry no person id, only `by='parent'`."""

    __tablename__ = "mailbox_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("mailbox_tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # addition reply transfer result rating reopen
    by: Mapped[str] = mapped_column(String(10))  # parent | staff
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
