"""SQLAlchemy 2 models and the database handle. Import models from here."""

from models.base import Base, UTCDateTime
from models.db import Database
from models.entities import (
    AuditLine,
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
from models.held import HeldMessage
from models.mailbox import SchoolRole, Ticket, TicketEntry
from models.meetings import ClassUpdateItem, Meeting, MeetingCheckin, MeetingRsvp
from models.polls import Poll, PollVote, Survey, SurveyResponse
from models.questions import PendingQuestion
from models.record import ContactEntry, GradeBatch, MustVisitTag
from models.signups import SignupEntry, SignupList, Slot, SlotBoard, SlotBooking
from models.stamps import DirectoryStamp

__all__ = [
    "AuditLine",
    "Base",
    "ClassMembership",
    "ClassUpdateItem",
    "ContactEntry",
    "Database",
    "DirectoryStamp",
    "GradeBatch",
    "GroupBinding",
    "HeldMessage",
    "Identity",
    "InboundMessage",
    "Meeting",
    "MeetingCheckin",
    "MeetingRsvp",
    "MustVisitTag",
    "Notice",
    "NoticeAck",
    "OutboxMessage",
    "PendingQuestion",
    "Person",
    "Poll",
    "PollVote",
    "ProcessLease",
    "Role",
    "ScheduledJob",
    "SchoolClass",
    "SchoolRole",
    "SignupEntry",
    "SignupList",
    "Slot",
    "SlotBoard",
    "SlotBooking",
    "Student",
    "Survey",
    "SurveyResponse",
    "Ticket",
    "TicketEntry",
    "UTCDateTime",
]
