"""The tables. Platform ids are strings; every datetime is UTC (UTCDateTime)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Role(StrEnum):
    HEAD_TEACHER = "head_teacher"
    TEACHER = "teacher"
    PARENT = "parent"


class SchoolClass(Base):
    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # #移交 李老师: the person asked to become head teacher, until they send #接受.
    handover_to_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)


class Person(Base):
    """One human, whatever platforms they use (a parent on WeChat and Telegram is one person)."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Identity(Base):
    """A platform account. Known from its first message, linked to a Person once registered."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    private_chat_id: Mapped[str | None] = mapped_column(String(128))
    private_reachable: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Student(Base):
    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("class_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    # Unique in the class: two children of one name are stored with their mark, 王一(1) and
    # 王一(2), which is how every message shows them and how parents register for them.
    name: Mapped[str] = mapped_column(String(40))
    on_roster: Mapped[bool] = mapped_column(Boolean, default=False)
    # The head teacher's #允许 李明 3: this family may register more guardians than the default.
    max_guardians: Mapped[int | None] = mapped_column(Integer, default=None)
    # #删学生: off the roster and out of every count from now on; past records keep the row.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ClassMembership(Base):
    __tablename__ = "memberships"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[Role] = mapped_column(String(20))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(20))
    committee: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # `registration: approve`: a guardianship waits (inactive) for the head teacher's #批准.
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # #移除 by the head teacher: inactive for good (coming back to the group does not restore it).
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupBinding(Base):
    __tablename__ = "group_bindings"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(128))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("class_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # #更正: how many times the notice was corrected (its reminders' keys carry it).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # #撤回: out of every open list, reminder and weekly update from then on.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class NoticeAck(Base):
    """One acknowledgement per family (student): either guardian's 收到 counts for both."""

    __tablename__ = "notice_acks"
    __table_args__ = (UniqueConstraint("notice_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    via: Mapped[str] = mapped_column(String(20))
    acked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """Every message the bot sends is a row here first (crash-safe, exactly once per key)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    chat_kind: Mapped[str] = mapped_column(String(10))
    chat_title: Mapped[str] = mapped_column(String(128), default="")
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(20))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    ref_kind: Mapped[str | None] = mapped_column(String(20))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_message_id: Mapped[str | None] = mapped_column(String(128))
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)  # of a long, split message
    file_path: Mapped[str | None] = mapped_column(String(500))  # a file sent with the text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process (process_leases.worker) sending this row while status is 'sending'; another
    # process takes the row over only once that lease has expired.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # Sends whose outcome stayed unknown (a timeout after the request left): each may have been
    # delivered, so a row is never tried again after the second (never three copies).
    uncertain: Mapped[int] = mapped_column(Integer, default=0)
    # The dedupe-key prefix this row shares with its siblings: a card's posts in every group
    # ("notice:7:post:") or one card's edits ("edit:12:"). Refreshing a card looks it up by this
    # exact value (an index seek) instead of `dedupe_key LIKE 'prefix%'`, a full outbox scan.
    key_base: Mapped[str | None] = mapped_column(String(200))


Index("ix_outbox_key_base", OutboxMessage.key_base, OutboxMessage.status)
Index("ix_outbox_sent_ref", OutboxMessage.channel, OutboxMessage.chat_id,
      OutboxMessage.sent_message_id)


class ProcessLease(Base):
    """A running bot process and the channels it serves, alive while `expires_at` is ahead.

    Every claim (an outbox row being sent, a job being run) names its process; a process renews
    its lease with a heartbeat, and only rows whose process's lease has expired are taken over,
    by a process serving that channel. Several processes can then share one database safely.
    """

    __tablename__ = "process_leases"
    worker: Mapped[str] = mapped_column(String(64), primary_key=True)
    channels: Mapped[str] = mapped_column(String(200))  # comma-separated channel names
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundMessage(Base):
    """Platform message ids already handled: a redelivered update is dropped."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "chat_id", "message_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditLine(Base):
    """What was deleted on request, when, and by whom as a role — never who it was about:
    the line must itself hold no personal data (counts, not names or texts)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(40))  # forget_person | delete_family
    by: Mapped[str] = mapped_column(String(20))  # self | head_teacher | cli
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ScheduledJob(Base):
    """Due work (nudges, reminders, …): the database, not the scheduler, remembers it."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
