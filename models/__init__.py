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
    Role,
    ScheduledJob,
    SchoolClass,
    Student,
)

__all__ = [
    "Base",
    "ClassMembership",
    "Database",
    "GroupBinding",
    "Identity",
    "InboundMessage",
    "Notice",
    "NoticeAck",
    "OutboxMessage",
    "Person",
    "Role",
    "ScheduledJob",
    "SchoolClass",
    "Student",
    "UTCDateTime",
]
