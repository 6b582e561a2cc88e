"""Sign-up lists (接龙) and time slots (预约), issue 12 parts 1 and 2.

Why the constraints carry the rules: two families answering at once run in two units of work,
and a read-then-write check ("is there room?") would let both in. So a family is on a list at
most once (unique list+student), the waiting list is an order (entry ids), not a stored flag,
and a slot's places are numbered seats (unique slot+seat) that an insert either takes or finds
taken; a family's bookings on one board are numbered too (unique board+student+turn), so "one
slot per family" holds the same way. All of it works unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class SignupList(Base):
    """A 接龙 opened by a teacher or a committee member; numbered per class like notices."""

    __tablename__ = "signup_lists"
    __table_args__ = (UniqueConstraint("class_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)  # people; beyond it: waiting list
    per_family: Mapped[int | None] = mapped_column(Integer)  # 每户1人: people one family may add
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignupEntry(Base):
    """One family's line on a list (either guardian may add or withdraw it)."""

    __tablename__ = "signup_entries"
    __table_args__ = (UniqueConstraint("list_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("signup_lists.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    heads: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(String(100), default="")
    via: Mapped[str] = mapped_column(String(10), default="word")  # word | paste | button
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)  # a re-join goes to the end
    # Withdrawn lines are kept: an old copy of the list pasted later must not bring them back.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlotBoard(Base):
    """A 预约: a set of time slots families book (面谈, 开放日 visits), numbered per class."""

    __tablename__ = "slot_boards"
    __table_args__ = (UniqueConstraint("class_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(100), default="")
    per_family: Mapped[int] = mapped_column(Integer, default=1)  # slots one family may hold
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Slot(Base):
    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("board_id", "starts_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("slot_boards.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=1)  # families per slot


class SlotBooking(Base):
    """`seat` (1..slot capacity) and `turn` (1..board per_family) are what the unique
    constraints count with: a taken seat or turn makes the insert a no-op, never a double."""

    __tablename__ = "slot_bookings"
    __table_args__ = (UniqueConstraint("slot_id", "seat"),
                      UniqueConstraint("board_id", "student_id", "turn"),
                      UniqueConstraint("slot_id", "student_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("slot_boards.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    seat: Mapped[int] = mapped_column(Integer)
    turn: Mapped[int] = mapped_column(Integer)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
