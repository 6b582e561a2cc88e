"""The head teacher runs the roster and the families from the chat: the roster with who has
registered (#名单), children added and removed (#加学生 / #删学生), a guardian removed (#移除),
one more guardian allowed for one family (#允许), and waiting registrations approved or
refused (#批准 / #拒绝, with `registration: approve`).

Removing never deletes: a removed guardian's row stays (inactive, `removed_at`), so the
family's acknowledgements and answers — kept per child — stay counted, while reminders (which
go to active guardians only) stop. Deleting a person's data is services/forget.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from models import ClassMembership, Person, Role, SchoolClass, Student
from services import roster
from services.guardians import guardian_limit, parents
from services.uow import UnitOfWork


@dataclass(frozen=True)
class RosterLine:
    student: str
    guardians: list[str]
    limit: int
    allowed_more: bool  # the head teacher raised this family's limit


@dataclass(frozen=True)
class RosterView:
    lines: list[RosterLine]
    waiting: list[str] = field(default_factory=list)  # registrations waiting for #批准

    @property
    def registered(self) -> int:
        return sum(1 for line in self.lines if line.guardians)


async def view(uow: UnitOfWork, school_class: SchoolClass) -> RosterView:
    """Every student with their active guardians, in roster order, and who is waiting."""
    lines = []
    for student in await roster.students(uow, school_class.id):
        names = [p.display_name for _, p in await _rows(uow, student.id, pending=False)]
        lines.append(RosterLine(student.name, names, guardian_limit(uow, student),
                                student.max_guardians is not None))
    waiting = [p.display_name for _, p in await _waiting(uow, school_class.id)]
    return RosterView(lines, waiting)


async def _rows(uow: UnitOfWork, student_id: int, *,
                pending: bool) -> list[tuple[ClassMembership, Person]]:
    where = (ClassMembership.pending if pending else parents())
    return [(row, person) for row, person in (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.student_id == student_id, where)
        .order_by(ClassMembership.id))).all()]


async def _waiting(uow: UnitOfWork, class_id: int) -> list[tuple[ClassMembership, Person]]:
    return [(row, person) for row, person in (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.class_id == class_id, ClassMembership.role == Role.PARENT,
               ClassMembership.pending)
        .order_by(ClassMembership.id))).all()]


def _shown_name(person: Person, row: ClassMembership, student: Student | None) -> str:
    """How a guardianship is named: 李明奶奶 (the person's name, or child + relation)."""
    if student is not None and row.relation:
        return f"{student.name}{row.relation}"
    return person.display_name


async def _find(uow: UnitOfWork, class_id: int, name: str, *,
                pending: bool) -> tuple[ClassMembership, Person, Student | None] | None:
    """A guardianship of the class called `name` (李明奶奶): active ones, or waiting ones."""
    name = roster.normal_name(name)
    where = ClassMembership.pending if pending else parents()
    rows = (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.class_id == class_id, ClassMembership.role == Role.PARENT,
               where).order_by(ClassMembership.id))).all()
    for row, person in rows:
        student = await uow.session.get(Student, row.student_id) if row.student_id else None
        if name in (person.display_name, _shown_name(person, row, student)):
            return row, person, student
    return None


# --- students ------------------------------------------------------------------------------

async def add_students(uow: UnitOfWork, school_class: SchoolClass,
                       names: list[str]) -> list[roster.Added]:
    done = [await roster.add_to_roster(uow, school_class.id, name) for name in names]
    await uow.session.flush()
    return done


class RemovedStudent(StrEnum):
    REMOVED = "removed"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class RemoveStudentResult:
    status: RemovedStudent
    name: str
    guardians: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)


async def remove_student(uow: UnitOfWork, school_class: SchoolClass,
                         name: str) -> RemoveStudentResult:
    """Off the roster: the family's guardianships end (no more reminders), records stay."""
    found = await roster.student(uow, school_class.id, name)
    if found is None:
        namesakes = await roster.same_named(uow, school_class.id, name)
        if namesakes:
            return RemoveStudentResult(RemovedStudent.AMBIGUOUS, name,
                                       choices=[s.name for s in namesakes])
        return RemoveStudentResult(RemovedStudent.NOT_FOUND, name)
    names = []
    for row, person in [*await _rows(uow, found.id, pending=False),
                        *await _rows(uow, found.id, pending=True)]:
        row.active, row.pending, row.removed_at = False, False, uow.now
        names.append(person.display_name)
    await roster.remove_student(uow, found)
    await uow.session.flush()
    return RemoveStudentResult(RemovedStudent.REMOVED, found.name, names)


# --- guardians -----------------------------------------------------------------------------

class GuardianStatus(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class GuardianResult:
    status: GuardianStatus
    name: str
    student: str = ""
    person_id: int | None = None
    left: list[str] = field(default_factory=list)  # the family's guardians after the change


async def remove_guardian(uow: UnitOfWork, school_class: SchoolClass,
                          name: str) -> GuardianResult:
    """#移除 李明奶奶: the guardianship ends for good (a return to the group does not restore
    it, a new #登记 for this child is refused); what the family confirmed stays counted."""
    found = await _find(uow, school_class.id, name, pending=False) \
        or await _find(uow, school_class.id, name, pending=True)
    if found is None:
        return GuardianResult(GuardianStatus.NOT_FOUND, name)
    row, person, student = found
    row.active, row.pending, row.removed_at = False, False, uow.now
    await uow.session.flush()
    left = [p.display_name for _, p in await _rows(uow, student.id, pending=False)] \
        if student else []
    return GuardianResult(GuardianStatus.DONE, name, student.name if student else "",
                          person.id, left)


class AllowStatus(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    BELOW = "below"  # fewer places than guardians already registered


@dataclass(frozen=True)
class AllowResult:
    status: AllowStatus
    student: str
    places: int
    registered: int = 0


async def allow(uow: UnitOfWork, school_class: SchoolClass, name: str,
                places: int) -> AllowResult:
    """#允许 李明 3: this family may have `places` guardians (the default is the config's)."""
    found = await roster.student(uow, school_class.id, name)
    if found is None:
        return AllowResult(AllowStatus.NOT_FOUND, name, places)
    registered = len(await _rows(uow, found.id, pending=False))
    if places < registered:
        return AllowResult(AllowStatus.BELOW, found.name, places, registered)
    found.max_guardians = places
    await uow.session.flush()
    return AllowResult(AllowStatus.DONE, found.name, places, registered)


async def decide(uow: UnitOfWork, school_class: SchoolClass, name: str, *,
                 approve: bool) -> GuardianResult:
    """#批准 / #拒绝 a registration waiting for the head teacher. A refused one is deleted
    (it never counted for anything); the person is told by the caller."""
    found = await _find(uow, school_class.id, name, pending=True)
    if found is None:
        return GuardianResult(GuardianStatus.NOT_FOUND, name)
    row, person, student = found
    shown = _shown_name(person, row, student)
    if approve:
        row.pending, row.active = False, True
    else:
        await uow.session.delete(row)
    await uow.session.flush()
    return GuardianResult(GuardianStatus.DONE, shown, student.name if student else "",
                          person.id)


async def awaiting_approval(uow: UnitOfWork, person_id: int) -> list[str]:
    """The classes where this person's registration waits for #批准: they are not a guest who
    never registered, and telling them to #登记 again would only make a second request."""
    rows = await uow.session.scalars(
        select(SchoolClass.name).join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
        .where(ClassMembership.person_id == person_id, ClassMembership.pending).distinct())
    return sorted(rows.all())
