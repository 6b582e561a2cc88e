"""Sign-up lists (接龙): open, join, withdraw, the standing list with its waiting list, close.

A line is per family (student), like RSVPs: either guardian joins or withdraws for the child.
Capacity never needs a lock: joins are inserts that a unique constraint makes idempotent, and
who is in and who waits is read from the order of the lines (entry ids), so two families
joining at once are both recorded and the later one simply waits. A withdrawal moves the first
waiting family up by the same reading, with nothing to update.

Pasted 接龙 blocks (`match_line`): each numbered line is matched to a registered family by the
child's roster name (with a relation word such as 妈妈, which may name a guardian not
registered: the family is the child), or to the sender when the line is the sender's own name.
A paste only adds lines; a family missing from it is never removed (people paste old copies).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, func, select, update

from models import ClassMembership, SignupEntry, SignupList
from models.base import storable
from services import guardians, roster, sets
from services.membership import parents
from services.sql import insert_if_absent
from services.uow import UnitOfWork

MAX_NOTE = 60
MAX_HEADS = 10
UPDATE_JOB = "signup_update"
DEADLINE_JOB = "signup_deadline"


class JoinStatus(StrEnum):
    NEW = "new"
    ALREADY = "already"  # on the list already (a new note replaces the old one)
    CLOSED = "closed"  # past the deadline, or closed by the organiser
    WITHDRAWN = "withdrawn"  # a pasted line of a family that withdrew: not brought back
    NOT_GUARDIAN = "not_guardian"


@dataclass(frozen=True)
class Line:
    """One family's line as the list shows it."""

    entry_id: int
    student_id: int
    person_id: int
    name: str  # 李明妈妈: the child's name and the joining guardian's relation
    heads: int
    note: str
    waiting: bool


@dataclass(frozen=True)
class Standing:
    signup: SignupList
    lines: tuple[Line, ...]

    @property
    def taken(self) -> int:
        return sum(line.heads for line in self.lines if not line.waiting)

    @property
    def waiting(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.waiting)

    @property
    def confirmed(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.waiting)

    def line_of(self, student_ids: Sequence[int]) -> Line | None:
        return next((line for line in self.lines if line.student_id in student_ids), None)


@dataclass(frozen=True)
class JoinResult:
    status: JoinStatus
    standing: Standing | None = None
    line: Line | None = None

    @property
    def recorded(self) -> bool:
        return self.status in (JoinStatus.NEW, JoinStatus.ALREADY)


# --- lists ---------------------------------------------------------------------------------


async def create(uow: UnitOfWork, *, class_id: int, author_id: int, title: str,
                 capacity: int | None, per_family: int | None,
                 deadline: datetime | None) -> SignupList:
    number = ((await uow.session.scalar(select(func.max(SignupList.number)).where(
        SignupList.class_id == class_id))) or 0) + 1
    signup = SignupList(class_id=class_id, number=number, title=title, capacity=capacity,
                        per_family=per_family, deadline=deadline, status="open",
                        author_id=author_id, created_at=uow.now)
    uow.session.add(signup)
    await uow.session.flush()
    return signup


async def get(uow: UnitOfWork, signup_id: int) -> SignupList | None:
    return await uow.session.get(SignupList, signup_id)


async def by_number(uow: UnitOfWork, class_id: int, number: int) -> SignupList | None:
    if not storable(number):
        return None
    return (await uow.session.scalars(select(SignupList).where(
        SignupList.class_id == class_id, SignupList.number == number))).first()


def taking(uow: UnitOfWork, signup: SignupList) -> bool:
    """Open and before its deadline: joins and withdrawals still count."""
    return signup.status == "open" and (signup.deadline is None or signup.deadline >= uow.now)


async def open_lists(uow: UnitOfWork, class_ids: Sequence[int]) -> list[SignupList]:
    """Lists still taking names, per class in number order."""
    rows = (await uow.session.scalars(select(SignupList).where(
        sets.among(uow.session, SignupList.class_id, class_ids), SignupList.status == "open")
        .order_by(SignupList.class_id, SignupList.number))).all()
    return [row for row in rows if taking(uow, row)]


async def latest(uow: UnitOfWork, class_id: int) -> SignupList | None:
    """The newest list of the class (what a report without a number is about)."""
    return (await uow.session.scalars(select(SignupList).where(
        SignupList.class_id == class_id).order_by(SignupList.number.desc()))).first()


async def close(uow: UnitOfWork, signup: SignupList) -> bool:
    """Stop taking names; False when it was closed already (a job that runs twice)."""
    if signup.status != "open":
        return False
    signup.status, signup.closed_at = "closed", uow.now
    await uow.session.flush()
    return True


# --- lines ---------------------------------------------------------------------------------


async def standing(uow: UnitOfWork, signup: SignupList) -> Standing:
    """Every line in joining order; over the capacity (people) the rest are waiting."""
    return (await standings(uow, [signup]))[signup.id]


async def standings(uow: UnitOfWork, signups: Sequence[SignupList],
                    students: Mapping[int, Mapping[int, str]] | None = None
                    ) -> dict[int, Standing]:
    """list id → `standing`, for many lists in two statements (the lines, and the classes'
    students unless the caller has them: class id → student id → name)."""
    if not signups:
        return {}
    class_ids = list(dict.fromkeys(s.class_id for s in signups))
    session = uow.session
    rows = await sets.rows(session,
        select(SignupEntry.id, SignupEntry.list_id, SignupEntry.student_id,
               SignupEntry.person_id, SignupEntry.heads, SignupEntry.note,
               SignupList.class_id, ClassMembership.relation)
        .join(SignupList, SignupList.id == SignupEntry.list_id)
        .outerjoin(ClassMembership, (ClassMembership.person_id == SignupEntry.person_id)
                   & (ClassMembership.student_id == SignupEntry.student_id)
                   & (ClassMembership.class_id == SignupList.class_id)
                   # said twice: PostgreSQL then reads these classes' rows by index
                   & sets.among(session, ClassMembership.class_id, class_ids))
        .where(sets.among(session, SignupEntry.list_id, (s.id for s in signups)),
               SignupEntry.withdrawn_at.is_(None))
        .order_by(SignupEntry.joined_at, SignupEntry.id))
    if students is None:
        students = await roster.names_by_class(uow, class_ids)
    # A line is named by its child; the person's own name only when the child has left the
    # roster (read for those lines alone).
    people = await guardians.person_names(uow, (
        row.person_id for row in rows if row.student_id not in students[row.class_id]))
    by_list: dict[int, list[Row[Any]]] = {s.id: [] for s in signups}
    for row in rows:
        by_list[row.list_id].append(row)
    return {s.id: _standing_of(s, by_list[s.id], students[s.class_id], people)
            for s in signups}


def _standing_of(signup: SignupList, rows: list[Row[Any]], students: Mapping[int, str],
                 people: Mapping[int, str]) -> Standing:
    lines: list[Line] = []
    seen: set[int] = set()
    total = 0
    capacity = signup.capacity  # read once: a mapped attribute costs a call each time
    for entry_id, _, student_id, person_id, heads, note, _, relation in rows:
        if entry_id in seen:  # two membership rows of one guardian: one line
            continue
        seen.add(entry_id)
        total += heads
        child = students.get(student_id)
        name = f"{child}{relation or ''}" if child else people.get(person_id, "")
        waiting = capacity is not None and total > capacity
        lines.append(Line(entry_id, student_id, person_id, name, heads, note, waiting))
    return Standing(signup, tuple(lines))


async def join(uow: UnitOfWork, signup: SignupList, person_id: int, *, heads: int | None,
               note: str, via: str, student_id: int | None = None,
               revive: bool = True) -> JoinResult:
    """Add this family's line (idempotent: a second join keeps its place, a new note or head
    count replaces the old; a withdrawn line comes back at the end). `student_id`: the family
    a pasted line names; `revive` False (another family's pasted line): a line its family
    withdrew stays withdrawn."""
    if not taking(uow, signup):
        return JoinResult(JoinStatus.CLOSED)
    students = await guardians.students_of_guardian(uow, signup.class_id, person_id)
    if student_id is not None:
        students = [student_id]
    if not students:
        return JoinResult(JoinStatus.NOT_GUARDIAN)
    count = min(max(heads or 1, 1), signup.per_family or MAX_HEADS)
    note = note[:MAX_NOTE]
    existing = (await uow.session.scalars(select(SignupEntry).where(
        SignupEntry.list_id == signup.id, SignupEntry.student_id.in_(students)))).first()
    status = JoinStatus.ALREADY
    if existing is None:
        new_id = await insert_if_absent(uow.session, SignupEntry, {
            "list_id": signup.id, "student_id": students[0], "person_id": person_id,
            "heads": count, "note": note, "via": via, "joined_at": uow.now},
            ["list_id", "student_id"])
        status = JoinStatus.NEW if new_id is not None else JoinStatus.ALREADY
    elif existing.withdrawn_at is not None:
        if not revive:
            return JoinResult(JoinStatus.WITHDRAWN)
        back = await uow.session.execute(update(SignupEntry).where(
            SignupEntry.id == existing.id, SignupEntry.withdrawn_at.is_not(None)).values(
            withdrawn_at=None, joined_at=uow.now, person_id=person_id, heads=count,
            note=note, via=via).execution_options(synchronize_session=False))
        status = JoinStatus.NEW if (back.rowcount or 0) else JoinStatus.ALREADY  # type: ignore[attr-defined]
        await uow.session.refresh(existing)
    elif heads is not None or note:
        existing.heads = count if heads is not None else existing.heads
        existing.note = note or existing.note
        await uow.session.flush()
    now = await standing(uow, signup)
    return JoinResult(status, now, now.line_of(students))


async def leave(uow: UnitOfWork, signup: SignupList,
                person_id: int) -> tuple[bool, list[Line]]:
    """Withdraw this family's line. Returns (withdrawn, the lines that moved up from the
    waiting list because of it)."""
    if not taking(uow, signup):
        return False, []
    students = await guardians.students_of_guardian(uow, signup.class_id, person_id)
    if not students:
        return False, []
    before = await standing(uow, signup)
    done = await uow.session.execute(update(SignupEntry).where(
        SignupEntry.list_id == signup.id, SignupEntry.student_id.in_(students),
        SignupEntry.withdrawn_at.is_(None)).values(withdrawn_at=uow.now)
        .execution_options(synchronize_session=False))
    if not (done.rowcount or 0):  # type: ignore[attr-defined]
        return False, []
    after = await standing(uow, signup)
    waited = {line.entry_id for line in before.lines if line.waiting}
    return True, [line for line in after.lines if line.entry_id in waited and not line.waiting]


async def on_list(uow: UnitOfWork, signup: SignupList, person_id: int) -> bool:
    students = await guardians.students_of_guardian(uow, signup.class_id, person_id)
    return bool(students) and (await uow.session.scalar(select(SignupEntry.id).where(
        SignupEntry.list_id == signup.id, SignupEntry.student_id.in_(students),
        SignupEntry.withdrawn_at.is_(None)))) is not None


# --- pasted blocks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Matched:
    """A pasted line that names a registered family: who to record, with the rest as note."""

    student_id: int
    person_id: int
    note: str


async def match_line(uow: UnitOfWork, class_id: int, text: str, *, sender_id: int,
                     sender_name: str) -> Matched | None:
    """The family a pasted line names (module docstring), or None."""
    families = await guardians.families(uow, class_id)
    squeezed = "".join(text.split())
    if sender_name and squeezed.startswith("".join(sender_name.split())):
        mine = await guardians.students_of_guardian(uow, class_id, sender_id)
        if mine:
            return Matched(mine[0], sender_id, _rest(squeezed, len("".join(sender_name.split()))))
    by_length = sorted((f for f in families if f.guardians), key=lambda f: -len(f.student))
    for family in by_length:
        at = squeezed.find(family.student)
        if at < 0 or at > 2:  # the child's name opens the line (after a 1-2 char mark)
            continue
        after = squeezed[at + len(family.student):]
        relation = next((r for r in sorted(await _relations(uow, class_id, family.student_id),
                                           key=len, reverse=True) if after.startswith(r)), "")
        guardian = await _guardian_for(uow, class_id, family.student_id, relation, sender_id)
        word = relation or next((r for r in guardians.RELATIONS if after.startswith(r)), "")
        return Matched(family.student_id, guardian, _rest(after, len(word)))
    return None


def _rest(text: str, start: int) -> str:
    return text[start:].strip(" ,，、:：;；-—()（）")[:MAX_NOTE]


async def _relations(uow: UnitOfWork, class_id: int, student_id: int) -> list[str]:
    rows = await uow.session.scalars(select(ClassMembership.relation).where(
        ClassMembership.class_id == class_id, ClassMembership.student_id == student_id,
        parents()))
    return [r for r in rows.all() if r]


async def _guardian_for(uow: UnitOfWork, class_id: int, student_id: int, relation: str,
                        sender_id: int) -> int:
    """The registered guardian the line names by relation; else the sender when they are one
    of this family's guardians; else the family's first guardian."""
    rows = (await uow.session.execute(select(ClassMembership.person_id, ClassMembership.relation)
                                      .where(ClassMembership.class_id == class_id,
                                             ClassMembership.student_id == student_id, parents())
                                      .order_by(ClassMembership.id))).all()
    for person_id, their_relation in rows:
        if relation and their_relation == relation:
            return int(person_id)
    for person_id, _ in rows:
        if person_id == sender_id:
            return int(person_id)
    return int(rows[0][0])


async def by_title(uow: UnitOfWork, class_id: int, title: str) -> SignupList | None:
    """The open list a pasted block's title names (exact, or one contains the other)."""
    title = "".join(title.split())
    if not title:
        return None
    rows = await open_lists(uow, [class_id])
    exact = [r for r in rows if "".join(r.title.split()) == title]
    if exact:
        return exact[-1]
    near = [r for r in rows if title in r.title or "".join(r.title.split()) in title]
    return near[-1] if len(near) == 1 else None
