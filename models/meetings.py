"""Meetings (家长会 and the other 五会), their RSVPs and check-ins, and weekly class updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Meeting(Base):
    """`version` grows on every reschedule so reminders scheduled for an old time are ignored."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("class_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # 家长会, 座谈会, 培训会, 经验交流会, 开放日
    topic: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # people (heads), not families
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | cancelled
    version: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class MeetingRsvp(Base):
    """One answer per family (student); a new answer replaces the old one."""

    __tablename__ = "meeting_rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    answer: Mapped[str] = mapped_column(String(8))  # yes | no | maybe
    heads: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingCheckin(Base):
    __tablename__ = "meeting_checkins"
    __table_args__ = (UniqueConstraint("meeting_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClassUpdateItem(Base):
    """A line a teacher adds with #动态; it goes out in the next weekly update, then is kept."""

    __tablename__ = "class_update_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
