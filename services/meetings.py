"""Meetings: create, RSVP per family, tally, check-in, attendance, reschedule, cancel, minutes.

Answers and check-ins are per family (student), like notice acknowledgements: either guardian
answers for the child, and a new answer replaces the old one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, delete, func, select

from core.events import Event
from models import Meeting, MeetingCheckin, MeetingRsvp
from models.base import storable
from services import guardians, outbox, sets
from services.guardians import Family, Guardian
from services.uow import UnitOfWork

KINDS = ("家长会", "座谈会", "培训会", "经验交流会", "开放日")
JUST_ENDED = timedelta(days=2)  # a meeting still counts as "the latest" this long after it ends


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


async def create(uow: UnitOfWork, *, class_id: int, author_id: int, kind: str, topic: str,
                 place: str, starts_at: datetime, deadline: datetime | None,
                 capacity: int | None) -> Meeting:
    number = ((await uow.session.scalar(
        select(func.max(Meeting.number)).where(Meeting.class_id == class_id))) or 0) + 1
    duration = timedelta(minutes=uow.config.meetings.default_duration_minutes)
    meeting = Meeting(class_id=class_id, number=number, kind=kind, topic=topic, place=place,
                      starts_at=starts_at, ends_at=starts_at + duration, rsvp_deadline=deadline,
                      capacity=capacity, status="open", version=1, author_id=author_id,
                      created_at=uow.now)
    uow.session.add(meeting)
    await uow.session.flush()
    return meeting


async def get(uow: UnitOfWork, meeting_id: int) -> Meeting | None:
    return await uow.session.get(Meeting, meeting_id)


async def by_number(uow: UnitOfWork, class_id: int, number: int) -> Meeting | None:
    """None for a number no row can have (models.base.storable), without asking the database."""
    if not storable(number):
        return None
    return (await uow.session.scalars(select(Meeting).where(
        Meeting.class_id == class_id, Meeting.number == number))).first()


class Meant(StrEnum):
    """Which meeting a command without a number (and without a quoted card) is about."""

    NEXT = "next"  # an answer (参加, #报名): the newest meeting that has not started
    LATEST = "latest"  # a tally or a change: the newest open meeting, upcoming or just ended
    HELD = "held"  # 签到, #考勤, #纪要: in progress, else the latest ended; never a future one


async def find(uow: UnitOfWork, class_id: int, meant: Meant, *, number: int | None = None,
               event: Event | None = None) -> Meeting | None:
    """The meeting a message refers to: by its number; else the card (or reminder) it quotes;
    else what a bare command means (`meant`). Every meeting command finds its meeting here.

    Why HELD never means a future meeting: a meeting called after another ended would
    otherwise capture that one's check-ins, attendance and minutes (and every family would be
    told it missed the new meeting). "In progress" starts when check-in opens.
    """
    if number is not None:
        return await by_number(uow, class_id, number)
    if event is not None and event.reply_to:
        ref = await outbox.find_reference(uow, event.channel, event.chat.chat_id, event.reply_to)
        if ref is not None and ref[0] == "meeting":
            quoted = await get(uow, ref[1])
            if quoted is not None and quoted.class_id == class_id:
                return quoted
    if meant is Meant.NEXT:
        return await _first(uow, class_id, Meeting.starts_at > uow.now,
                            order=Meeting.number.desc())
    if meant is Meant.LATEST:
        return await _first(uow, class_id, Meeting.ends_at >= uow.now - JUST_ENDED,
                            order=Meeting.number.desc())
    opens = timedelta(minutes=uow.config.meetings.checkin_opens_minutes_before)
    in_progress = await _first(uow, class_id, Meeting.starts_at <= uow.now + opens,
                               Meeting.ends_at >= uow.now, order=Meeting.starts_at)
    return in_progress or await _first(uow, class_id, Meeting.ends_at < uow.now,
                                       Meeting.ends_at >= uow.now - JUST_ENDED,
                                       order=Meeting.ends_at.desc())


def _open(class_id: int, *where: ColumnElement[bool]) -> Select[tuple[Meeting]]:
    """The class's open (not cancelled) meetings matching `where`."""
    return select(Meeting).where(Meeting.class_id == class_id, Meeting.status == "open", *where)


async def _first(uow: UnitOfWork, class_id: int, *where: ColumnElement[bool],
                 order: ColumnElement[Any]) -> Meeting | None:
    return (await uow.session.scalars(_open(class_id, *where).order_by(order))).first()


def checkin_opens(uow: UnitOfWork, meeting: Meeting) -> datetime:
    return meeting.starts_at - timedelta(minutes=uow.config.meetings.checkin_opens_minutes_before)


async def upcoming(uow: UnitOfWork, class_id: int) -> list[Meeting]:
    return list((await uow.session.scalars(
        _open(class_id, Meeting.starts_at > uow.now).order_by(Meeting.starts_at))).all())


async def upcoming_in(uow: UnitOfWork, class_ids: Sequence[int]) -> list[Meeting]:
    """`upcoming` of many classes in one statement, by class then start."""
    return list((await uow.session.scalars(select(Meeting).where(
        sets.among(uow.session, Meeting.class_id, class_ids), Meeting.status == "open",
        Meeting.starts_at > uow.now)
        .order_by(Meeting.class_id, Meeting.starts_at, Meeting.id))).all())


# --- RSVP --------------------------------------------------------------------------------------

class RsvpStatus(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    SAME = "same"
    PAST_DEADLINE = "past_deadline"
    FULL = "full"
    STARTED = "started"
    CANCELLED = "cancelled"
    NOT_GUARDIAN = "not_guardian"


@dataclass(frozen=True)
class RsvpResult:
    status: RsvpStatus
    answer: Answer
    heads: int
    reason: str
    seats_left: int | None = None

    @property
    def recorded(self) -> bool:
        return self.status in (RsvpStatus.NEW, RsvpStatus.CHANGED, RsvpStatus.SAME)


async def _heads_coming(uow: UnitOfWork, meeting_id: int, except_students: list[int]) -> int:
    return (await uow.session.scalar(select(func.coalesce(func.sum(MeetingRsvp.heads), 0)).where(
        MeetingRsvp.meeting_id == meeting_id, MeetingRsvp.answer == Answer.YES,
        MeetingRsvp.student_id.not_in(except_students)))) or 0


async def answer(uow: UnitOfWork, meeting: Meeting, person_id: int, choice: Answer,
                 heads: int, reason: str) -> RsvpResult:
    """Record (or replace) this family's answer, refusing it with the reason when it can't be."""
    heads = heads if choice is Answer.YES else 0
    reason = reason if choice is not Answer.YES else ""

    def refused(status: RsvpStatus, seats: int | None = None) -> RsvpResult:
        return RsvpResult(status, choice, heads, reason, seats)

    if meeting.status == "cancelled":
        return refused(RsvpStatus.CANCELLED)
    if meeting.starts_at <= uow.now:
        return refused(RsvpStatus.STARTED)
    if meeting.rsvp_deadline is not None and meeting.rsvp_deadline < uow.now:
        return refused(RsvpStatus.PAST_DEADLINE)
    students = await guardians.students_of_guardian(uow, meeting.class_id, person_id)
    if not students:
        return refused(RsvpStatus.NOT_GUARDIAN)
    if meeting.capacity is not None and choice is Answer.YES:
        seats = meeting.capacity - await _heads_coming(uow, meeting.id, students)
        if heads > seats:
            return refused(RsvpStatus.FULL, max(seats, 0))
    existing = {r.student_id: r for r in (await uow.session.scalars(select(MeetingRsvp).where(
        MeetingRsvp.meeting_id == meeting.id, MeetingRsvp.student_id.in_(students)))).all()}
    status = RsvpStatus.NEW if not existing else RsvpStatus.SAME
    for index, student_id in enumerate(students):
        # A guardian of two children in the class brings the heads once, not once per child.
        row_heads = heads if index == 0 else 0
        row = existing.get(student_id)
        if row is None:
            uow.session.add(MeetingRsvp(meeting_id=meeting.id, student_id=student_id,
                                        person_id=person_id, answer=choice, heads=row_heads,
                                        reason=reason, answered_at=uow.now))
            continue
        if (row.answer, row.heads, row.reason) != (choice, row_heads, reason):
            status = RsvpStatus.CHANGED
        row.answer, row.heads, row.reason = choice, row_heads, reason
        row.person_id, row.answered_at = person_id, uow.now
    await uow.session.flush()
    seats_left = None
    if meeting.capacity is not None:
        seats_left = max(meeting.capacity - await _heads_coming(uow, meeting.id, []), 0)
    return RsvpResult(status, choice, heads, reason, seats_left)


@dataclass(frozen=True)
class FamilyAnswer:
    family: Family
    answer: Answer
    heads: int
    reason: str
    person_id: int

    @property
    def guardian(self) -> Guardian:
        """The guardian who answered (named as the family knows them, if still registered)."""
        return next((g for g in self.family.guardians if g.person_id == self.person_id),
                    Guardian(self.person_id, ""))


@dataclass
class Tally:
    meeting: Meeting
    yes: list[FamilyAnswer] = field(default_factory=list)
    no: list[FamilyAnswer] = field(default_factory=list)
    maybe: list[FamilyAnswer] = field(default_factory=list)
    missing: list[Family] = field(default_factory=list)

    @property
    def heads(self) -> int:
        return sum(a.heads for a in self.yes)

    @property
    def total(self) -> int:
        return len(self.yes) + len(self.no) + len(self.maybe) + len(self.missing)


async def tally(uow: UnitOfWork, meeting: Meeting,
                families: list[Family] | None = None) -> Tally:
    """`families` (roster order) may be passed by a caller that already read them."""
    if families is None:
        families = await guardians.families(uow, meeting.class_id)
    return (await tallies(uow, [meeting], {meeting.class_id: families}))[meeting.id]


async def tallies(uow: UnitOfWork, meetings: Sequence[Meeting],
                  families: Mapping[int, list[Family]]) -> dict[int, Tally]:
    """meeting id → its tally, the answers of all `meetings` read in one statement;
    `families`: class id → the class's families (roster order)."""
    rows: dict[int, dict[int, Row[Any]]] = {m.id: {} for m in meetings}
    if meetings:  # columns, not rows: a burst reads thousands of answers
        for row in await sets.rows(uow.session, select(
                MeetingRsvp.meeting_id, MeetingRsvp.student_id, MeetingRsvp.answer,
                MeetingRsvp.heads, MeetingRsvp.reason, MeetingRsvp.person_id).where(
                sets.among(uow.session, MeetingRsvp.meeting_id, rows))):
            rows[row.meeting_id][row.student_id] = row
    return {m.id: _tally_of(m, families[m.class_id], rows[m.id]) for m in meetings}


def _tally_of(meeting: Meeting, families: list[Family], rows: dict[int, Row[Any]]) -> Tally:
    result = Tally(meeting)
    buckets = {Answer.YES: result.yes, Answer.NO: result.no, Answer.MAYBE: result.maybe}
    missing = result.missing
    for family in families:
        row = rows.get(family.student_id)
        if row is None:
            missing.append(family)
        else:
            _, _, said, heads, reason, person_id = row
            answer = _ANSWERS[said]  # Answer(said) costs twenty times the dict
            buckets[answer].append(FamilyAnswer(family, answer, heads, reason, person_id))
    return result


_ANSWERS = {answer.value: answer for answer in Answer}


# --- check-in and attendance -------------------------------------------------------------------

class CheckinStatus(StrEnum):
    NEW = "new"
    ALREADY = "already"
    NOT_OPEN = "not_open"
    CANCELLED = "cancelled"
    NOT_GUARDIAN = "not_guardian"


async def check_in(uow: UnitOfWork, meeting: Meeting, person_id: int) -> CheckinStatus:
    if meeting.status == "cancelled":
        return CheckinStatus.CANCELLED
    if not checkin_opens(uow, meeting) <= uow.now <= meeting.ends_at:
        return CheckinStatus.NOT_OPEN
    students = await guardians.students_of_guardian(uow, meeting.class_id, person_id)
    if not students:
        return CheckinStatus.NOT_GUARDIAN
    done = set((await uow.session.scalars(select(MeetingCheckin.student_id).where(
        MeetingCheckin.meeting_id == meeting.id,
        MeetingCheckin.student_id.in_(students)))).all())
    missing = [s for s in students if s not in done]
    for student_id in missing:
        uow.session.add(MeetingCheckin(meeting_id=meeting.id, student_id=student_id,
                                       person_id=person_id, checked_in_at=uow.now))
    await uow.session.flush()
    return CheckinStatus.NEW if missing else CheckinStatus.ALREADY


@dataclass
class Attendance:
    meeting: Meeting
    present: list[Family]
    absent: list[FamilyAnswer]  # answered but did not check in (their answer shown)
    no_answer: list[Family]  # neither answered nor came


async def attendance(uow: UnitOfWork, meeting: Meeting) -> Attendance:
    families = await guardians.families(uow, meeting.class_id)
    answers = await tally(uow, meeting, families)
    came = set((await uow.session.scalars(select(MeetingCheckin.student_id).where(
        MeetingCheckin.meeting_id == meeting.id))).all())
    answered = answers.yes + answers.maybe + answers.no
    by_roster = {f.student_id: i for i, f in enumerate(families)}
    present = [f for f in families if f.student_id in came]
    absent = sorted((a for a in answered if a.family.student_id not in came),
                    key=lambda a: by_roster.get(a.family.student_id, 0))
    no_answer = [f for f in answers.missing if f.student_id not in came]
    return Attendance(meeting, present, absent, no_answer)


# --- changes -----------------------------------------------------------------------------------

async def reschedule(uow: UnitOfWork, meeting: Meeting, starts_at: datetime) -> None:
    """Move the meeting; check-ins are void (they were for the old time), answers are kept."""
    duration = meeting.ends_at - meeting.starts_at
    if meeting.rsvp_deadline is not None:
        meeting.rsvp_deadline = meeting.rsvp_deadline + (starts_at - meeting.starts_at)
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + duration
    meeting.version += 1
    await uow.session.execute(delete(MeetingCheckin).where(
        MeetingCheckin.meeting_id == meeting.id))
    await uow.session.flush()


async def cancel(uow: UnitOfWork, meeting: Meeting) -> None:
    meeting.status = "cancelled"
    meeting.version += 1
    await uow.session.flush()


async def record_minutes(uow: UnitOfWork, meeting: Meeting, text: str, author_id: int) -> bool:
    """Store the minutes; False when they replace earlier minutes (absentees are told once)."""
    first = meeting.minutes is None
    meeting.minutes, meeting.minutes_at, meeting.minutes_author_id = text, uow.now, author_id
    await uow.session.flush()
    return first
