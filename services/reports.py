"""The monthly evaluation of communication (每月沟通效果评估): per class, what reached families
and what came back, over one month.

For each class: notices with first-day and final read rates, reminders sent, meetings with
their answers and attendance, letters to the class mailbox (median hours to the first answer,
how many went over the reply deadline, satisfaction; 校长信箱 letters are the school's), weekly
updates posted, this term's contact coverage, and the month's surveys (finished and partial
responses, the average score where at least 5 answered: issue 13 part 4).
For the principals the same, one line per class, sorted so what needs attention comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from models import (
    Meeting,
    MeetingCheckin,
    MeetingRsvp,
    Notice,
    NoticeAck,
    OutboxMessage,
    SchoolClass,
    Ticket,
    TicketEntry,
)
from services import contact_log, guardians, mailbox, surveys
from services.contact_log import Coverage
from services.uow import UnitOfWork

FIRST_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Month:
    start: date  # the first day
    label: str  # 2026-11

    @staticmethod
    def of(day: date) -> Month:
        first = day.replace(day=1)
        return Month(first, first.strftime("%Y-%m"))

    @property
    def next_start(self) -> date:
        return (self.start + timedelta(days=32)).replace(day=1)

    def previous(self) -> Month:
        return Month.of(self.start - timedelta(days=1))


@dataclass
class NoticeLine:
    number: int
    title: str
    families: int
    first_day: int
    final: int

    @property
    def first_day_rate(self) -> float:
        return self.first_day / self.families if self.families else 0.0

    @property
    def final_rate(self) -> float:
        return self.final / self.families if self.families else 0.0


@dataclass
class MeetingLine:
    number: int
    kind: str
    topic: str
    starts_at: datetime
    yes: int
    no: int
    maybe: int
    unanswered: int
    present: int


@dataclass
class SurveyLine:
    """A survey of the month: responses, and the mean of its score questions' averages (only
    questions with enough answers to be shown: services.surveys.MIN_BREAKDOWN)."""

    number: int
    title: str
    complete: int
    partial: int
    families: int
    average: float | None


@dataclass
class ClassReport:
    class_name: str
    month: Month
    notices: list[NoticeLine]
    reminders: int
    meetings: list[MeetingLine]
    letters: int
    median_reply_hours: float | None
    overdue: int
    open_letters: int
    ratings: dict[str, int]
    weekly_posts: int
    coverage: Coverage
    attention: list[str] = field(default_factory=list)  # what needs attention (keys)
    surveys: list[SurveyLine] = field(default_factory=list)  # started this month

    @property
    def final_rate(self) -> float | None:
        lines = [n.final_rate for n in self.notices if n.families]
        return sum(lines) / len(lines) if lines else None

    @property
    def first_day_rate(self) -> float | None:
        lines = [n.first_day_rate for n in self.notices if n.families]
        return sum(lines) / len(lines) if lines else None

    @property
    def score(self) -> tuple[int, float]:
        """Sort key for the principals: more problems first, then the lower read rate."""
        return (-len(self.attention), self.final_rate if self.final_rate is not None else 1.0)


def _span(month: Month, tz: str) -> tuple[datetime, datetime]:
    return (contact_log.local_start(month.start, tz),
            contact_log.local_start(month.next_start, tz))


async def build(uow: UnitOfWork, school_class: SchoolClass, month: Month) -> ClassReport:
    tz = school_class.timezone
    start, end = _span(month, tz)
    families = await guardians.families(uow, school_class.id)
    notices = []
    for notice in (await uow.session.scalars(select(Notice).where(
            Notice.class_id == school_class.id, Notice.publish_at >= start,
            Notice.publish_at < end).order_by(Notice.number))).all():
        acks = (await uow.session.scalars(select(NoticeAck.acked_at).where(
            NoticeAck.notice_id == notice.id))).all()
        notices.append(NoticeLine(notice.number, notice.title, len(families),
                                  sum(1 for a in acks if a <= notice.publish_at + FIRST_DAY),
                                  len(acks)))
    reminders = await uow.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.class_id == school_class.id, OutboxMessage.kind == "nudge",
        OutboxMessage.created_at >= start, OutboxMessage.created_at < end)) or 0
    meetings = []
    for meeting in (await uow.session.scalars(select(Meeting).where(
            Meeting.class_id == school_class.id, Meeting.status != "cancelled",
            Meeting.starts_at >= start, Meeting.starts_at < end)
            .order_by(Meeting.starts_at))).all():
        answers = list((await uow.session.scalars(select(MeetingRsvp.answer).where(
            MeetingRsvp.meeting_id == meeting.id))).all())
        present = await uow.session.scalar(select(func.count(MeetingCheckin.id)).where(
            MeetingCheckin.meeting_id == meeting.id)) or 0
        meetings.append(MeetingLine(meeting.number, meeting.kind, meeting.topic,
                                    meeting.starts_at, answers.count("yes"), answers.count("no"),
                                    answers.count("maybe"), len(families) - len(answers),
                                    present))
    letters = [t for t in (await uow.session.scalars(select(Ticket).where(
        Ticket.class_id == school_class.id, Ticket.origin == "class",
        Ticket.created_at >= start, Ticket.created_at < end))).all()]
    replies, overdue, open_letters, ratings = [], 0, 0, {}
    for ticket in letters:
        first = (await uow.session.scalars(select(TicketEntry.created_at).where(
            TicketEntry.ticket_id == ticket.id, TicketEntry.by == "staff",
            TicketEntry.kind.in_(("reply", "result"))).order_by(TicketEntry.created_at))).first()
        due = mailbox.reply_due(uow, ticket, tz)
        if first is not None:
            replies.append((first - ticket.created_at).total_seconds() / 3600)
        else:
            open_letters += 1
        if (first or uow.now) > due:
            overdue += 1
        if ticket.rating:
            ratings[ticket.rating] = ratings.get(ticket.rating, 0) + 1
    weekly_posts = await uow.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.class_id == school_class.id, OutboxMessage.kind == "broadcast",
        OutboxMessage.dedupe_key.like(f"weekly:{school_class.id}:%"),
        OutboxMessage.created_at >= start, OutboxMessage.created_at < end)) or 0
    report = ClassReport(school_class.name, month, notices, reminders, meetings, len(letters),
                         round(median(replies), 1) if replies else None, overdue,
                         open_letters, ratings, weekly_posts,
                         await contact_log.coverage(uow, school_class))
    report.surveys = await _surveys(uow, school_class, start, end)
    report.attention = needs_attention(report)
    return report


async def _surveys(uow: UnitOfWork, school_class: SchoolClass, start: datetime,
                   end: datetime) -> list[SurveyLine]:
    out = []
    for survey in await surveys.in_class(uow, school_class.id, since=start, until=end):
        summary = await surveys.summary(uow, survey)
        scores = [q.average for q in summary.questions if q.shown and q.average is not None]
        out.append(SurveyLine(survey.number, survey.title, summary.complete, summary.partial,
                              summary.families,
                              round(sum(scores) / len(scores), 1) if scores else None))
    return out


def needs_attention(report: ClassReport) -> list[str]:
    """What a principal should look at first (template keys, most serious first)."""
    out = []
    if report.overdue:
        out.append("overdue")
    if report.ratings.get("unsatisfied"):
        out.append("unsatisfied")
    if report.final_rate is not None and report.final_rate < 0.9:
        out.append("low_read")
    if report.coverage.gaps:
        out.append("must_visit")
    if report.coverage.not_visited:
        out.append("not_visited")
    if not report.weekly_posts:
        out.append("no_update")
    return out


def local_today(uow: UnitOfWork, tz: str) -> date:
    return uow.now.astimezone(ZoneInfo(tz)).date()
