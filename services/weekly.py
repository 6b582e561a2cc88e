"""Weekly class updates (每周班级动态): items teachers add, compiled at the class's weekly slot."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from models import ClassUpdateItem, Notice, NoticeAck, SchoolClass, Student
from services import (
    guardians,
    jobs,
    keys,
    meetings,
    notices,
    outbox,
    polls,
    roster,
    sets,
    signups,
    slots,
)
from services.guardians import Family
from services.meetings import Tally
from services.notices import ReadStatus
from services.outbox import Draft
from services.polls import PollTally
from services.signups import Standing
from services.slots import Schedule
from services.uow import UnitOfWork

WEEKLY_JOB = "weekly_update"

log = logging.getLogger(__name__)


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


def next_due(uow: UnitOfWork, school_class: SchoolClass) -> jobs.Due | None:
    """The class's next weekly slot as a due row (None while weekly updates are off)."""
    settings = uow.config.weekly_update
    if not settings.enabled:
        return None
    slot = next_slot(uow.now, school_class.timezone, settings.weekday, settings.at)
    week = week_of(slot, school_class.timezone)
    return jobs.Due(kind=WEEKLY_JOB, key=keys.weekly_update(school_class.id, week), due_at=slot,
                    ref_id=school_class.id, class_id=school_class.id)


async def ensure_scheduled(uow: UnitOfWork, school_class: SchoolClass) -> datetime | None:
    """Make sure the class's next weekly slot is a due row (idempotent: one row per week)."""
    due = next_due(uow, school_class)
    if due is None:
        return None
    await jobs.schedule(uow, kind=due.kind, class_id=due.class_id, ref_id=due.ref_id,
                        key=due.key, due_at=due.due_at)
    return due.due_at


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
    meetings with RSVP counts, older notices some families still have not confirmed, open
    sign-ups and slot boards, and open polls with how many have voted."""
    return (await compile_digests(uow, [school_class]))[school_class.id]


async def compile_digests(uow: UnitOfWork,
                          classes: Sequence[SchoolClass]) -> dict[int, Digest]:
    """class id → `compile_digest`, for many classes in one statement per kind of thing
    (items, families, notices, acknowledgements, meetings, answers, sign-ups, slot boards,
    polls …) whatever their number: the Friday burst compiles every class's update at once,
    and ten small queries per class made 1,000 classes take half a minute (issue 14)."""
    ids = list(dict.fromkeys(c.id for c in classes))
    if not ids:
        return {}
    digests: dict[int, Digest] = {}
    since: dict[int, datetime] = {}
    for school_class in classes:
        week_start = week_of(uow.now, school_class.timezone)
        digests[school_class.id] = Digest(school_class, week_start)
        since[school_class.id] = datetime.combine(week_start, datetime.min.time(),
                                                  tzinfo=ZoneInfo(school_class.timezone))
    for item in (await uow.session.scalars(select(ClassUpdateItem).where(
            sets.among(uow.session, ClassUpdateItem.class_id, ids),
            ClassUpdateItem.posted_at.is_(None))
            .order_by(ClassUpdateItem.id))).all():
        digests[item.class_id].items.append(item)
    families = await guardians.families_of(uow, ids)  # read once, used by all
    await _add_notices(uow, digests, since, families)
    for tally in (await meetings.tallies(uow, await meetings.upcoming_in(uow, ids),
                                         families)).values():
        digests[tally.meeting.class_id].meetings.append(tally)
    names = {class_id: {f.student_id: f.student for f in found}
             for class_id, found in families.items()}  # the roster, as families read it
    for standing in (await signups.standings(uow, await signups.open_lists(uow, ids),
                                             names)).values():
        digests[standing.signup.class_id].signups.append(standing)
    for board in (await slots.schedules(uow, await slots.open_boards(uow, ids),
                                        names)).values():
        digests[board.board.class_id].slots.append(board)
    # Open polls with how many have voted (never the counts per option: results are the
    # author's until the close, and never names).
    for poll in (await polls.tallies(uow, await polls.open_polls(uow, ids), families)).values():
        digests[poll.poll.class_id].polls.append(poll)
    return digests


async def _add_notices(uow: UnitOfWork, digests: dict[int, Digest], since: dict[int, datetime],
                       families: dict[int, list[Family]]) -> None:
    """This week's notices with their read rates; older ones (inside the acknowledgement
    window) while some family has not confirmed them. One statement for the notices of every
    class, one for the families each has not heard from: the unconfirmed pairs, a quarter of
    the rows the confirmations would be in a class that reads its notices."""
    window = uow.now - timedelta(days=uow.config.notices.ack_window_days)
    bound = {class_id: min(start, window) for class_id, start in since.items()}
    recent = [n for n in (await uow.session.scalars(select(Notice).where(
        sets.among(uow.session, Notice.class_id, digests), Notice.publish_at <= uow.now,
        Notice.publish_at >= min(bound.values()), notices.current())
        .order_by(Notice.class_id, Notice.number))).all()
        if n.publish_at >= bound[n.class_id]]
    unconfirmed = await _unconfirmed(uow, [n.id for n in recent])
    for notice in recent:
        everyone, unheard = families[notice.class_id], unconfirmed[notice.id]
        missing = [f for f in everyone if f.student_id in unheard]
        status = ReadStatus(notice, len(everyone), len(everyone) - len(missing), missing)
        if notice.publish_at >= since[notice.class_id]:
            digests[notice.class_id].notices.append(status)
        elif status.missing:
            digests[notice.class_id].open_notices.append(status)


async def _unconfirmed(uow: UnitOfWork, notice_ids: list[int]) -> dict[int, set[int]]:
    """notice id → the students on its class's roster with no 收到 for it (the families a
    read status counts as missing: `notices.read_status` reads the same from the other side)."""
    found: dict[int, set[int]] = {notice_id: set() for notice_id in notice_ids}
    if notice_ids:
        session = uow.session
        confirmed = select(NoticeAck.id).where(NoticeAck.notice_id == Notice.id,
                                               NoticeAck.student_id == Student.id,
                                               # said twice: PostgreSQL then reads these
                                               # notices' confirmations by index only
                                               sets.among(session, NoticeAck.notice_id,
                                                          notice_ids))
        for notice_id, student_id in await sets.rows(session, select(Notice.id, Student.id)
                                                     .join(Student,
                                                           Student.class_id == Notice.class_id)
                                                     .where(sets.among(session, Notice.id,
                                                                       notice_ids),
                                                            roster.current(),
                                                            ~confirmed.exists())):
            found[notice_id].add(student_id)
    return found


async def mark_posted(uow: UnitOfWork, digest: Digest) -> None:
    await mark_posted_many(uow, [digest])


async def mark_posted_many(uow: UnitOfWork, digests: Sequence[Digest]) -> None:
    """The digests' items are out: one UPDATE for all of them."""
    ids = [item.id for digest in digests for item in digest.items]
    if ids:
        # No session sync: the items are not loaded as objects here, and evaluating the
        # criteria against every object of a batch's session cost more than the UPDATE.
        await uow.session.execute(update(ClassUpdateItem)
                                  .where(sets.among(uow.session, ClassUpdateItem.id, ids))
                                  .values(posted_at=uow.now)
                                  .execution_options(synchronize_session=False))


# --- the Friday burst: the weekly jobs of one claim together (issue 14) ----------------------


@dataclass
class Post:
    """What one class's weekly job writes: its next slot, its update (a draft per bound group;
    none for a skipped week) and the items that update uses up."""

    job_id: int
    school_class: SchoolClass
    drafts: list[Draft] = field(default_factory=list)
    digest: Digest | None = None  # set when posted: its items are marked posted


async def write(uow: UnitOfWork, posts: Sequence[Post]) -> dict[int, str]:
    """Write the posts of a batch: one multi-row statement each for next slots, outbox rows
    and posted items, inside a savepoint. Should the database refuse that (one class's row),
    the savepoint is rolled back and each class is written in a savepoint of its own, so the
    refused class alone is rolled back. Returns job id → error for the classes not written
    (the caller marks those jobs failed, in the same transaction)."""
    try:
        async with uow.session.begin_nested():
            await _write(uow, posts)
        return {}
    except SQLAlchemyError:
        log.exception("weekly burst: %d classes refused together, writing class by class",
                      len(posts))
    failed: dict[int, str] = {}
    for post in posts:
        try:
            async with uow.session.begin_nested():
                await _write(uow, [post])
        except SQLAlchemyError as exc:
            log.exception("class %s: weekly update not written", post.school_class.id)
            failed[post.job_id] = repr(exc)
    return failed


async def _write(uow: UnitOfWork, posts: Sequence[Post]) -> None:
    await jobs.schedule_many(uow, [due for post in posts
                                   if (due := next_due(uow, post.school_class)) is not None])
    await outbox.enqueue_many(uow, [draft for post in posts for draft in post.drafts])
    await mark_posted_many(uow, [post.digest for post in posts if post.digest is not None])
