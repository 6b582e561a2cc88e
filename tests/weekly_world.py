"""A district whose weekly updates fall due at once, with every kind of content varied per class.

Why: the Friday burst compiles many classes together (services/weekly.compile_digests), so a
class's update must not depend on which other classes share its batch. The classes here differ
in what a digest reads — families (two guardians, a removed child, a guardian named by another
class's child, a teacher who is also a parent), notices (this week, older and still unread,
withdrawn, held for later), meetings (upcoming, past, cancelled), items (pending, posted),
sign-ups (full with a waiting list, closed, past the deadline), slot boards (open, all slots
begun) and polls (anonymous, per person, named, closed) — and in their time zone and whether a
group is bound. Rows are plain dicts, inserted in bulk; `seed` builds a database from them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from models import (
    ClassMembership,
    ClassUpdateItem,
    Database,
    GroupBinding,
    Meeting,
    MeetingRsvp,
    Notice,
    NoticeAck,
    Person,
    Poll,
    PollVote,
    ScheduledJob,
    SchoolClass,
    SignupEntry,
    SignupList,
    Slot,
    SlotBoard,
    SlotBooking,
    Student,
)

SLOT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday 17:00 in Shanghai
MONDAY = SLOT - timedelta(days=4)
TABLES = (SchoolClass, Person, Student, ClassMembership, GroupBinding, Notice, NoticeAck,
          Meeting, MeetingRsvp, ClassUpdateItem, SignupList, SignupEntry, SlotBoard, Slot,
          SlotBooking, Poll, PollVote, ScheduledJob)


class _Ids:
    def __init__(self) -> None:
        self.last: dict[Any, int] = {}

    def next(self, table: Any) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


def rows(classes: int, seed: int = 14) -> dict[Any, list[dict[str, Any]]]:
    """Everything `classes` varied classes leave behind by Friday's slot, as plain rows."""
    data: dict[Any, list[dict[str, Any]]] = {t: [] for t in TABLES}
    ids = _Ids()

    def add(table: Any, **values: Any) -> int:
        """A row with its id given (so later rows can name it), except the jobs: the burst
        adds jobs, and PostgreSQL's sequence must hand out the next id."""
        if table is not ScheduledJob:
            values.setdefault("id", ids.next(table))
        data[table].append(values)
        return int(values.get("id", 0))

    for c in range(1, classes + 1):
        rng = random.Random(seed * 10_000 + c)
        tz = "Europe/London" if c % 7 == 3 else "Asia/Shanghai"
        add(SchoolClass, id=c, name=f"班级{c:03d}", timezone=tz, created_at=MONDAY)
        teacher = add(Person, display_name=f"老师{c}", created_at=MONDAY)
        add(ClassMembership, class_id=c, person_id=teacher, role="head_teacher",
            created_at=MONDAY)
        if c % 5 != 4:  # every fifth class has no group bound
            add(GroupBinding, class_id=c, channel="memory", chat_id=f"g{c}",
                title=f"班级{c:03d}家长群", bound_at=MONDAY)
        if c % 6 == 1:  # and some have two
            add(GroupBinding, class_id=c, channel="memory", chat_id=f"g{c}b",
                title=f"班级{c:03d}二群", bound_at=MONDAY)
        families: list[tuple[int, int]] = []  # (student, guardian)
        for f in range(rng.randint(0, 6)):
            student = add(Student, class_id=c, name=f"学生{c}_{f}", on_roster=True,
                          removed_at=MONDAY if rng.random() < 0.1 else None)
            kind = rng.random()
            name = (f"老师{c}" if kind < 0.1 else "别班孩子妈妈" if kind < 0.25
                    else f"学生{c}_{f}妈妈")
            guardian = teacher if kind < 0.1 else add(Person, display_name=name,
                                                      created_at=MONDAY)
            add(ClassMembership, class_id=c, person_id=guardian, role="parent",
                student_id=student, relation="妈妈", created_at=MONDAY,
                active=rng.random() > 0.1)
            families.append((student, guardian))
            if rng.random() < 0.4:
                second = add(Person, display_name=f"学生{c}_{f}爸爸", created_at=MONDAY)
                add(ClassMembership, class_id=c, person_id=second, role="parent",
                    student_id=student, relation="爸爸", created_at=MONDAY)
        if c % 8 != 0:  # every eighth class has nothing to say this week
            _notices(add, rng, c, teacher, families)
            _meetings(add, rng, c, teacher, families)
            for i in range(rng.randint(0, 3)):
                add(ClassUpdateItem, class_id=c, author_id=teacher, text=f"{c}班第{i + 1}件事",
                    created_at=MONDAY + timedelta(hours=i),
                    posted_at=MONDAY if rng.random() < 0.2 else None)
            _signups(add, rng, c, teacher, families)
            _slots(add, rng, c, teacher, families)
            _polls(add, rng, c, teacher, families)
        add(ScheduledJob, dedupe_key=f"weekly:{c}:2026-11-30", kind="weekly_update", ref_id=c,
            class_id=c, due_at=SLOT, status="pending", payload={})
    return data


def _notices(add: Any, rng: random.Random, c: int, teacher: int,
             families: list[tuple[int, int]]) -> None:
    for n in range(1, rng.randint(0, 4) + 1):
        published = rng.choice([MONDAY + timedelta(hours=30), MONDAY - timedelta(days=3),
                                MONDAY - timedelta(days=40), SLOT + timedelta(days=1),
                                MONDAY + timedelta(hours=2)])
        notice = add(Notice, class_id=c, number=n, title=f"通知{c}-{n}", body="请按时到校。",
                     urgent=False, author_id=teacher, created_at=published,
                     publish_at=published,
                     withdrawn_at=SLOT - timedelta(hours=1) if rng.random() < 0.15 else None)
        for student, guardian in families:
            if rng.random() < 0.6:
                add(NoticeAck, notice_id=notice, student_id=student, person_id=guardian,
                    via="word", acked_at=published + timedelta(hours=1))


def _meetings(add: Any, rng: random.Random, c: int, teacher: int,
              families: list[tuple[int, int]]) -> None:
    for n in range(1, rng.randint(0, 3) + 1):
        starts = SLOT + timedelta(days=rng.choice([-2, 3, 7, 10]), hours=n)
        meeting = add(Meeting, class_id=c, number=n, kind="家长会", topic=f"议题{n}",
                      place="三楼会议室", starts_at=starts, ends_at=starts + timedelta(hours=2),
                      status="cancelled" if rng.random() < 0.2 else "open", version=1,
                      author_id=teacher, created_at=MONDAY)
        for student, guardian in families:
            if rng.random() < 0.7:
                answer = rng.choice(["yes", "no", "maybe"])
                add(MeetingRsvp, meeting_id=meeting, student_id=student, person_id=guardian,
                    answer=answer, heads=rng.randint(1, 2) if answer == "yes" else 0,
                    reason="", answered_at=MONDAY)


def _signups(add: Any, rng: random.Random, c: int, teacher: int,
             families: list[tuple[int, int]]) -> None:
    for n in range(1, rng.randint(0, 2) + 1):
        status = "closed" if rng.random() < 0.2 else "open"
        deadline = rng.choice([None, SLOT + timedelta(days=2), SLOT - timedelta(days=1)])
        signup = add(SignupList, class_id=c, number=n, title=f"接龙{n}",
                     capacity=rng.choice([None, 2, 4]), per_family=None, deadline=deadline,
                     status=status, author_id=teacher, created_at=MONDAY)
        for i, (student, guardian) in enumerate(families):
            if rng.random() < 0.7:
                add(SignupEntry, list_id=signup, student_id=student, person_id=guardian,
                    heads=rng.randint(1, 2), note="", via="word",
                    joined_at=MONDAY + timedelta(minutes=i),
                    withdrawn_at=MONDAY + timedelta(hours=1) if rng.random() < 0.2 else None)


def _slots(add: Any, rng: random.Random, c: int, teacher: int,
           families: list[tuple[int, int]]) -> None:
    for n in range(1, rng.randint(0, 2) + 1):
        board = add(SlotBoard, class_id=c, number=n, title=f"面谈{n}", place="办公室",
                    per_family=1, status="closed" if rng.random() < 0.15 else "open",
                    author_id=teacher, created_at=MONDAY)
        offset = rng.choice([-3, 2])  # all begun, or still ahead
        slot_ids = []
        for k in range(3):
            starts = SLOT + timedelta(days=offset, hours=k)
            slot_ids.append(add(Slot, board_id=board, starts_at=starts,
                                ends_at=starts + timedelta(minutes=30), capacity=2))
        for i, (student, guardian) in enumerate(families):
            if rng.random() < 0.5:
                add(SlotBooking, board_id=board, slot_id=slot_ids[i % 3], student_id=student,
                    person_id=guardian, seat=1 + i // 3, turn=1, booked_at=MONDAY)


def _polls(add: Any, rng: random.Random, c: int, teacher: int,
           families: list[tuple[int, int]]) -> None:
    for n in range(1, rng.randint(0, 2) + 1):
        anonymous, per_person = rng.random() < 0.4, rng.random() < 0.3
        poll = add(Poll, class_id=c, number=n, question=f"问题{n}", options=["甲", "乙", "丙"],
                   anonymous=anonymous, per_person=per_person, publish_results=False,
                   salt="00", status="closed" if rng.random() < 0.2 else "open",
                   closes_at=rng.choice([None, SLOT + timedelta(days=3)]), author_id=teacher,
                   created_at=MONDAY)
        for i, (student, guardian) in enumerate(families):
            if rng.random() < 0.6:
                add(PollVote, poll_id=poll, voter_key=f"k{poll}-{i}", option=rng.randint(0, 2),
                    person_id=None if anonymous else guardian,
                    student_id=None if anonymous else student,
                    voted_at=MONDAY + timedelta(minutes=i))


async def seed(url: str, classes: int, seed: int = 14) -> None:
    """A fresh database at `url` holding `rows(classes, seed)`."""
    db = Database(url)
    await db.create_schema()
    async with db.session() as session, session.begin():
        for table, batch in rows(classes, seed).items():
            for start in range(0, len(batch), 2000):
                if batch[start:start + 2000]:
                    await session.execute(insert(table), batch[start:start + 2000])
    await db.dispose()


def summary(digest: Any) -> dict[str, Any]:
    """What a digest holds beyond its rendered counts (names, lines, who is missing), as
    plain data: two ways of compiling must agree on this too, not only on the text."""
    def family(f: Any) -> list[Any]:
        return [f.student_id, f.student, [[g.person_id, g.name] for g in f.guardians]]

    return {
        "week": str(digest.week_start),
        "items": [i.id for i in digest.items],
        "notices": [[s.notice.id, s.total, s.acked, [family(f) for f in s.missing]]
                    for s in digest.notices],
        "open_notices": [[s.notice.id, [family(f) for f in s.missing]]
                         for s in digest.open_notices],
        "meetings": [[t.meeting.id, t.heads, [family(f) for f in t.missing],
                      *[[[family(a.family), a.answer.value, a.heads, a.guardian.name]
                         for a in answers] for answers in (t.yes, t.no, t.maybe)]]
                     for t in digest.meetings],
        "signups": [[st.signup.id, [[ln.entry_id, ln.name, ln.heads, ln.waiting]
                                    for ln in st.lines]] for st in digest.signups],
        "slots": [[sc.board.id, [[ln.slot.id, list(ln.names)] for ln in sc.lines]]
                  for sc in digest.slots],
        "polls": [[t.poll.id, t.counts, t.voters, t.eligible, t.names] for t in digest.polls],
    }
