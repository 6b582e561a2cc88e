"""SQLAlchemy 2 models and the database handle. Import models from here."""

from models.base import Base, UTCDateTime
from models.db import Database
from models.entities import (
    ClassMembership,
    GroupBinding,
    Identity,
    InboundMessage,
    Notice,
    NoticeAck,
    OutboxMessage,
    Person,
    ProcessLease,
    Role,
    ScheduledJob,
    SchoolClass,
    Student,
)
from models.mailbox import SchoolRole, Ticket, TicketEntry
from models.meetings import ClassUpdateItem, Meeting, MeetingCheckin, MeetingRsvp
from models.questions import PendingQuestion

__all__ = [
    "Base",
    "ClassMembership",
    "ClassUpdateItem",
    "Database",
    "GroupBinding",
    "Identity",
    "InboundMessage",
    "Meeting",
    "MeetingCheckin",
    "MeetingRsvp",
    "Notice",
    "NoticeAck",
    "OutboxMessage",
    "PendingQuestion",
    "Person",
    "ProcessLease",
    "Role",
    "ScheduledJob",
    "SchoolClass",
    "SchoolRole",
    "Student",
    "Ticket",
    "TicketEntry",
    "UTCDateTime",
]
