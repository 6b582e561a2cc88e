"""Weekly class updates (每周班级动态): items teachers add, compiled at the class's weekly slot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from models import ClassUpdateItem, Notice, SchoolClass
from services import guardians, jobs, keys, meetings, notices, polls, signups, slots
from services.meetings import Tally
from services.notices import ReadStatus
from services.polls import PollTally
from services.signups import Standing
from services.slots import Schedule
from services.uow import UnitOfWork

WEEKLY_JOB = "weekly_update"


def next_slot(now: datetime, tz: str, weekday: int, at: object) -> datetime:
    """The first weekly slot strictly after `now`, as UTC (the slot is local wall-clock time)."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    days_ahead = (weekday - local.isoweekday()) % 7
    candidate_day = local.date() + timedelta(days=days_ahead)
    for extra in (0, 7):
        day = candidate_day + timedelta(days=extra)
        slot = datetime.combine(day, at, tzinfo=zone)  # type: ignore[arg-type]
        if slot > local:
            return slot.astimezone(ZoneInfo("UTC"))
    raise AssertionError("unreachable: a slot within 14 days always exists")


def week_of(slot: datetime, tz: str) -> date:
    """The Monday of the slot's local week: the key that makes one update per class per week."""
    local = slot.astimezone(ZoneInfo(tz)).date()
    return local - timedelta(days=local.isoweekday() - 1)


async def ensure_scheduled(uow: UnitOfWork, school_class: SchoolClass) -> datetime | None:
    """Make sure the class's next weekly slot is a due row (idempotent: one row per week)."""
    settings = uow.config.weekly_update
    if not settings.enabled:
        return None
    slot = next_slot(uow.now, school_class.timezone, settings.weekday, settings.at)
    week = week_of(slot, school_class.timezone)
    await jobs.schedule(uow, kind=WEEKLY_JOB, class_id=school_class.id, ref_id=school_class.id,
                        key=keys.weekly_update(school_class.id, week), due_at=slot)
    return slot


async def add_item(uow: UnitOfWork, class_id: int, author_id: int, text: str) -> int:
    """Returns how many items wait for the next update, this one included."""
    uow.session.add(ClassUpdateItem(class_id=class_id, author_id=author_id, text=text,
                                    created_at=uow.now))
    await uow.session.flush()
    return (await uow.session.scalar(select(func.count()).select_from(ClassUpdateItem).where(
        ClassUpdateItem.class_id == class_id, ClassUpdateItem.posted_at.is_(None)))) or 0


@dataclass
class Digest:
    school_class: SchoolClass
    week_start: date
    items: list[ClassUpdateItem] = field(default_factory=list)
    notices: list[ReadStatus] = field(default_factory=list)
    meetings: list[Tally] = field(default_factory=list)
    open_notices: list[ReadStatus] = field(default_factory=list)  # older, still not all read
    signups: list[Standing] = field(default_factory=list)  # open 接龙 with their counts
    slots: list[Schedule] = field(default_factory=list)  # open 预约 boards, booked / places
    polls: list[PollTally] = field(default_factory=list)  # open polls: how many have voted

    @property
    def empty(self) -> bool:
        return not (self.items or self.notices or self.meetings or self.open_notices
                    or self.signups or self.slots or self.polls)


async def compile_digest(uow: UnitOfWork, school_class: SchoolClass) -> Digest:
    """What the update says now: pending items, this week's notices with read rates, upcoming
    meetings with RSVP counts, older notices some families still have not confirmed, and open
    polls with how many have voted."""
    week_start = week_of(uow.now, school_class.timezone)
    since = datetime.combine(week_start, datetime.min.time(),
                             tzinfo=ZoneInfo(school_class.timezone))
    digest = Digest(school_class, week_start)
    digest.items = list((await uow.session.scalars(select(ClassUpdateItem).where(
        ClassUpdateItem.class_id == school_class.id, ClassUpdateItem.posted_at.is_(None))
        .order_by(ClassUpdateItem.id))).all())
    families = await guardians.families(uow, school_class.id)  # read once, used by all
    window = uow.now - timedelta(days=uow.config.notices.ack_window_days)
    recent = (await uow.session.scalars(select(Notice).where(
        Notice.class_id == school_class.id, Notice.publish_at <= uow.now,
        Notice.publish_at >= min(since, window), notices.current())
        .order_by(Notice.number))).all()
    for notice in recent:
        status = await notices.read_status(uow, notice, families)
        if notice.publish_at >= since:
            digest.notices.append(status)
        elif status.missing:
            digest.open_notices.append(status)
    for meeting in await meetings.upcoming(uow, school_class.id):
        digest.meetings.append(await meetings.tally(uow, meeting, families))
    await _add_signups(uow, digest)
    # Open polls with how many have voted (never the counts per option: results are the
    # author's until the close, and never names).
    for poll in await polls.open_polls(uow, [school_class.id]):
        digest.polls.append(await polls.tally(uow, poll))
    return digest


# --- sign-ups and slots (issue 12 parts 1, 2) ----------------------------------------------


async def _add_signups(uow: UnitOfWork, digest: Digest) -> None:
    """Open sign-up lists, with how many joined and how many wait; open slot boards with how
    many places are booked."""
    for signup in await signups.open_lists(uow, [digest.school_class.id]):
        digest.signups.append(await signups.standing(uow, signup))
    for board in await slots.open_boards(uow, [digest.school_class.id]):
        digest.slots.append(await slots.schedule(uow, board))


async def mark_posted(uow: UnitOfWork, digest: Digest) -> None:
    ids = [item.id for item in digest.items]
    if ids:
        await uow.session.execute(update(ClassUpdateItem).where(ClassUpdateItem.id.in_(ids))
                                  .values(posted_at=uow.now))
