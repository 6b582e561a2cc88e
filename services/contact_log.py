"""The contact record (家校联系册): home visits and other contacts per student, the 必访 tags,
a student's timeline, and the term's coverage (who has not been visited, which 必访 students
have gone too long without contact).

Why per student: the policies ask every head teacher to visit each student at least once a
term and the "六个必访" students often, and the school checks the record at term end. Private
matters stay private: the timeline names mailbox letters only when they were signed (never an
anonymous one) and counts #私信 messages without their text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.config import MUST_VISIT, Config, Term
from models import (
    ClassMembership,
    ContactEntry,
    Identity,
    InboundMessage,
    Meeting,
    MeetingCheckin,
    MeetingRsvp,
    MustVisitTag,
    Notice,
    NoticeAck,
    OutboxMessage,
    Person,
    Role,
    SchoolClass,
    Student,
    Ticket,
)
from services import guardians, membership, roster
from services.uow import UnitOfWork

# The words a teacher writes for the kind of contact, and what is stored.
KIND_WORDS = {"上门": "home", "家访": "home", "入户": "home", "电访": "phone", "电话": "phone",
              "来访": "school", "来校": "school", "视频": "video", "线上": "video"}
KINDS = ("home", "phone", "school", "video")
VISIT_KINDS = ("home", "video")  # what counts as this term's 家访 (a video visit is 线上家访)

# The words for the six 必访 categories (core.config.MUST_VISIT).
CATEGORY_WORDS = {
    "违纪": "经常违纪", "经常违纪": "经常违纪",
    "成绩下降": "成绩下降", "成绩明显下降": "成绩下降", "下降": "成绩下降",
    "家庭变故": "家庭变故", "家庭重大事件": "家庭变故", "变故": "家庭变故",
    "情绪": "情绪不稳", "情绪不稳": "情绪不稳", "情绪不稳定": "情绪不稳",
    "单亲": "单亲家庭", "单亲家庭": "单亲家庭",
    "潜力生": "特殊关注", "特长生": "特殊关注", "学困生": "特殊关注", "特殊关注": "特殊关注",
}


def default_term(day: date) -> Term:
    """Without a configured calendar: autumn term September–January, spring February–July
    (the usual Chinese school year); the summer belongs to the spring term just ended."""
    if day.month >= 8:
        return Term(name=f"{day.year}秋", start=date(day.year, 8, 15),
                    end=date(day.year + 1, 2, 14))
    if day.month == 1 or (day.month == 2 and day.day < 15):
        return Term(name=f"{day.year - 1}秋", start=date(day.year - 1, 8, 15),
                    end=date(day.year, 2, 14))
    return Term(name=f"{day.year}春", start=date(day.year, 2, 15), end=date(day.year, 8, 14))


def term_of(config: Config, day: date) -> Term:
    return config.term_on(day) or default_term(day)


def term_named(config: Config, name: str) -> Term | None:
    """A configured term by name, else a default one named like 2026秋 / 2027春."""
    if (term := config.term_named(name)) is not None:
        return term
    if len(name) == 5 and name[:4].isdigit() and name[4] in "春秋":
        year = int(name[:4])
        return default_term(date(year, 10, 1) if name[4] == "秋" else date(year, 4, 1))
    return None


def local_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz))


def today(uow: UnitOfWork, tz: str) -> date:
    return uow.now.astimezone(ZoneInfo(tz)).date()


# --- who and which class ------------------------------------------------------------------

async def staff_classes(uow: UnitOfWork, person_id: int) -> list[SchoolClass]:
    """The classes this person teaches (head teacher or subject teacher)."""
    return list((await uow.session.scalars(
        select(SchoolClass).join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
        .where(ClassMembership.person_id == person_id,
               membership.holding((Role.HEAD_TEACHER, Role.TEACHER)))
        .distinct().order_by(SchoolClass.id))).all())


async def find_student(uow: UnitOfWork, classes: list[SchoolClass],
                       name: str) -> tuple[SchoolClass, Student] | None:
    for school_class in classes:
        student = await roster.student(uow, school_class.id, name)
        if student is not None:
            return school_class, student
    return None


# --- writing ------------------------------------------------------------------------------

async def log_contact(uow: UnitOfWork, *, class_id: int, student_id: int, author_id: int,
                      kind: str, process: str, family: str = "", next_steps: str = "",
                      parent_opinion: str = "") -> ContactEntry:
    entry = ContactEntry(class_id=class_id, student_id=student_id, author_id=author_id,
                         kind=kind, process=process, family=family, next_steps=next_steps,
                         parent_opinion=parent_opinion, created_at=uow.now)
    uow.session.add(entry)
    await uow.session.flush()
    return entry


async def tag(uow: UnitOfWork, *, class_id: int, student_id: int, categories: list[str],
              by: int) -> list[str]:
    """Tag a student with 必访 categories; returns the student's categories now."""
    have = set(await categories_of(uow, student_id))
    for category in categories:
        if category not in have:
            uow.session.add(MustVisitTag(class_id=class_id, student_id=student_id,
                                         category=category, tagged_by=by, created_at=uow.now))
            have.add(category)
    await uow.session.flush()
    return [c for c in MUST_VISIT if c in have]


async def untag(uow: UnitOfWork, *, student_id: int, categories: list[str]) -> list[str]:
    for row in (await uow.session.scalars(select(MustVisitTag).where(
            MustVisitTag.student_id == student_id,
            MustVisitTag.category.in_(categories)))).all():
        await uow.session.delete(row)
    await uow.session.flush()
    return await categories_of(uow, student_id)


async def categories_of(uow: UnitOfWork, student_id: int) -> list[str]:
    have = set((await uow.session.scalars(select(MustVisitTag.category).where(
        MustVisitTag.student_id == student_id))).all())
    return [c for c in MUST_VISIT if c in have]


@dataclass
class Tagged:
    student_id: int
    student: str
    categories: list[str]
    weeks: int  # the shortest interval among its categories
    last_contact: datetime | None = None


async def tagged(uow: UnitOfWork, school_class: SchoolClass) -> list[Tagged]:
    """The class's 必访 students (roster order) with their last contact of any kind."""
    rows = (await uow.session.scalars(select(MustVisitTag).where(
        MustVisitTag.class_id == school_class.id))).all()
    by_student: dict[int, list[str]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row.category)
    weeks = uow.config.record.must_visit_weeks
    out = []
    for student in await roster.students(uow, school_class.id):
        if student.id in by_student:
            cats = [c for c in MUST_VISIT if c in by_student[student.id]]
            out.append(Tagged(student.id, student.name, cats,
                              min(weeks.get(c, 4) for c in cats),
                              await last_contact(uow, student.id)))
    return out


async def last_contact(uow: UnitOfWork, student_id: int) -> datetime | None:
    return (await uow.session.scalars(select(ContactEntry.created_at).where(
        ContactEntry.student_id == student_id).order_by(ContactEntry.created_at.desc()))
    ).first()


# --- reading ------------------------------------------------------------------------------

@dataclass
class Contact:
    entry: ContactEntry
    author: str


async def contacts(uow: UnitOfWork, *, class_id: int, student_id: int | None = None,
                   since: datetime | None = None,
                   until: datetime | None = None) -> list[Contact]:
    query = (select(ContactEntry, Person.display_name)
             .join(Person, Person.id == ContactEntry.author_id)
             .where(ContactEntry.class_id == class_id).order_by(ContactEntry.created_at))
    if student_id is not None:
        query = query.where(ContactEntry.student_id == student_id)
    if since is not None:
        query = query.where(ContactEntry.created_at >= since)
    if until is not None:
        query = query.where(ContactEntry.created_at < until)
    return [Contact(entry, name) for entry, name in (await uow.session.execute(query)).all()]


@dataclass
class MeetingLine:
    meeting: Meeting
    answer: str | None  # yes | no | maybe, None: no answer
    present: bool


@dataclass
class Timeline:
    student: Student
    categories: list[str]
    contacts: list[Contact]
    meetings: list[MeetingLine]
    notices_total: int
    notices_read: int
    letters: list[Ticket]  # signed letters only; anonymous ones never appear here
    private_messages: int  # #私信 between the family and the teachers, counted, never read
    guardians: list[str] = field(default_factory=list)


async def timeline(uow: UnitOfWork, school_class: SchoolClass, student: Student,
                   since: datetime | None = None) -> Timeline:
    family = next((f for f in await guardians.families(uow, school_class.id)
                   if f.student_id == student.id), None)
    guardian_ids = [g.person_id for g in family.guardians] if family else []
    meetings = []
    for meeting in (await uow.session.scalars(select(Meeting).where(
            Meeting.class_id == school_class.id, Meeting.status != "cancelled",
            Meeting.starts_at <= uow.now).order_by(Meeting.starts_at))).all():
        if since is not None and meeting.starts_at < since:
            continue
        answer = (await uow.session.scalars(select(MeetingRsvp.answer).where(
            MeetingRsvp.meeting_id == meeting.id, MeetingRsvp.student_id == student.id))).first()
        present = (await uow.session.scalars(select(MeetingCheckin.id).where(
            MeetingCheckin.meeting_id == meeting.id,
            MeetingCheckin.student_id == student.id))).first() is not None
        meetings.append(MeetingLine(meeting, answer, present))
    notice_query = select(Notice.id).where(Notice.class_id == school_class.id,
                                           Notice.publish_at <= uow.now)
    if since is not None:
        notice_query = notice_query.where(Notice.publish_at >= since)
    notice_ids = list((await uow.session.scalars(notice_query)).all())
    read = len((await uow.session.scalars(select(NoticeAck.notice_id).where(
        NoticeAck.notice_id.in_(notice_ids), NoticeAck.student_id == student.id))).all())
    letters = list((await uow.session.scalars(select(Ticket).where(
        Ticket.class_id == school_class.id, Ticket.sender_id.in_(guardian_ids),
        Ticket.anonymous.is_(False)).order_by(Ticket.created_at))).all()) if guardian_ids else []
    return Timeline(student, await categories_of(uow, student.id),
                    await contacts(uow, class_id=school_class.id, student_id=student.id,
                                   since=since),
                    meetings, len(notice_ids), read, letters,
                    await private_messages(uow, school_class.id, guardian_ids, since),
                    [g.name for g in family.guardians] if family else [])


async def private_messages(uow: UnitOfWork, class_id: int, guardian_ids: list[int],
                           since: datetime | None = None) -> int:
    """#私信 / #急 messages the bot carried between these guardians and the class's staff.

    Only the rows' keys are read (`dm:<channel>:<message id>:to:<account>`), never the text:
    one to a guardian's account came from staff; one whose incoming message was written in a
    guardian's private chat came from the family."""
    if not guardian_ids:
        return 0
    accounts = (await uow.session.execute(select(Identity.id, Identity.channel,
                                                 Identity.private_chat_id).where(
        Identity.person_id.in_(guardian_ids)))).all()
    to_family = {str(a.id) for a in accounts}
    family_chats = {(a.channel, a.private_chat_id) for a in accounts if a.private_chat_id}
    query = select(OutboxMessage.dedupe_key).where(
        OutboxMessage.class_id == class_id, OutboxMessage.kind == "relay",
        OutboxMessage.dedupe_key.like("dm:%"))
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    count = 0
    for key in (await uow.session.scalars(query)).all():
        head, _, account = key.removeprefix("dm:").rpartition(":to:")
        channel, _, message_id = head.partition(":")
        if account in to_family:
            count += 1
            continue
        chat = (await uow.session.scalars(select(InboundMessage.chat_id).where(
            InboundMessage.channel == channel, InboundMessage.message_id == message_id))).first()
        if (channel, chat) in family_chats:
            count += 1
    return count


@dataclass
class Gap:
    student: str
    categories: list[str]
    weeks: int
    last_contact: datetime | None


@dataclass
class Coverage:
    term: Term
    total: int
    visited: int
    not_visited: list[str]
    gaps: list[Gap]

    @property
    def empty(self) -> bool:
        return not self.not_visited and not self.gaps


async def coverage(uow: UnitOfWork, school_class: SchoolClass) -> Coverage:
    """This term's 家访 coverage and the 必访 students overdue for a contact."""
    tz = school_class.timezone
    term = term_of(uow.config, today(uow, tz))
    since = local_start(term.start, tz)
    visited_ids = {c.entry.student_id for c in await contacts(uow, class_id=school_class.id,
                                                               since=since)
                   if c.entry.kind in VISIT_KINDS}
    students = await roster.students(uow, school_class.id)
    not_visited = [s.name for s in students if s.id not in visited_ids]
    gaps = [Gap(t.student, t.categories, t.weeks, t.last_contact)
            for t in await tagged(uow, school_class)
            if t.last_contact is None or t.last_contact < uow.now - timedelta(weeks=t.weeks)]
    return Coverage(term, len(students), len(students) - len(not_visited), not_visited, gaps)
