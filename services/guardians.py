"""Families: 实名 registration of guardians (学生姓名 + 关系), who the guardians of each child
are, and what happens to a guardianship when a parent leaves the class group or comes back.

Read tracking, RSVPs and check-ins are per family, so notices, meetings and the weekly update
all read families from here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, or_, select

from models import ClassMembership, Identity, Person, Role, SchoolClass, Student
from services import directory, membership, roster, sets
from services.membership import head_teachers, parents
from services.uow import UnitOfWork

RELATIONS = ("爸爸", "妈妈", "父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷",
             "哥哥", "姐姐", "叔叔", "阿姨", "舅舅", "姑姑", "监护人", "家长")
MAX_GUARDIANS = 6  # what #允许 may give one family (the config's own ceiling)


@dataclass(slots=True)  # slots: the weekly burst makes forty thousand of each
class Guardian:
    person_id: int
    name: str


@dataclass(slots=True)
class Family:
    student_id: int
    student: str
    guardians: list[Guardian] = field(default_factory=list)


async def families(uow: UnitOfWork, class_id: int) -> list[Family]:
    """Every student of the class with their registered guardians (roster order).

    A guardian is named by this family's child (李红妈妈 in one class, 李明妈妈 in the other
    for a mother of two): the display name made at registration names the first child only.
    Cached in the directory: callers read the families, never change them."""
    return list(await directory.cached(uow, ("families", class_id),
                                       lambda: _families(uow, class_id)))


async def _families(uow: UnitOfWork, class_id: int) -> list[Family]:
    return (await _read_families(uow, [class_id]))[class_id]


async def families_of(uow: UnitOfWork, class_ids: Sequence[int]) -> dict[int, list[Family]]:
    """`families` of many classes in two statements whatever their number (the weekly burst
    compiles fifty classes at once). What is read is kept in the directory, and where the
    directory already held a class that copy is used, so both paths give the same lists."""
    found: dict[int, list[Family]] = {}
    for class_id, read in (await _read_families(uow, list(dict.fromkeys(class_ids)))).items():
        found[class_id] = list(await directory.cached(uow, ("families", class_id),
                                                      _given(read)))
    return found


def _given(value: list[Family]) -> Callable[[], Awaitable[list[Family]]]:
    """A directory loader for a value already read."""
    async def load() -> list[Family]:
        return value
    return load


async def _read_families(uow: UnitOfWork, class_ids: Sequence[int]) -> dict[int, list[Family]]:
    """Families of these classes in one statement: each current student (roster order) with
    their active guardianships (in the order they were made), or a row of NULLs for none."""
    session = uow.session
    rows = await sets.rows(session,
        select(Student.class_id, Student.id, Student.name, ClassMembership.relation,
               Person.id, Person.display_name)
        .outerjoin(ClassMembership, and_(ClassMembership.student_id == Student.id,
                                         ClassMembership.class_id == Student.class_id,
                                         # said twice: PostgreSQL then reads these classes'
                                         # rows by index instead of scanning the table
                                         sets.among(session, ClassMembership.class_id,
                                                    class_ids),
                                         parents()))
        .outerjoin(Person, Person.id == ClassMembership.person_id)
        .where(sets.among(session, Student.class_id, class_ids), roster.current())
        .order_by(Student.id, ClassMembership.id))
    by_class: dict[int, dict[int, Family]] = {class_id: {} for class_id in class_ids}
    guardianships: list[tuple[int, Family, str | None, int, str]] = []
    for class_id, student_id, student, relation, person_id, name in rows:  # one pass, tuples
        families = by_class[class_id]
        family = families.get(student_id)
        if family is None:
            family = families[student_id] = Family(student_id, student)
        if person_id is not None:
            guardianships.append((class_id, family, relation, person_id, name))
    pupils = {class_id: {f.student for f in by_id.values()}
              for class_id, by_id in by_class.items()}
    for class_id, family, relation, person_id, name in guardianships:
        # Only a name made by registration for a child of another class (李明妈妈 in 李红's
        # class) is re-made for this child; a person known by their own name (王老师, also
        # a parent) or by a child of this class keeps it.
        by_child = bool(relation) and name.endswith(relation) \
            and name[:-len(relation)] not in pupils[class_id]
        family.guardians.append(Guardian(
            person_id, f"{family.student}{relation}" if by_child else name))
    return {class_id: list(by_id.values()) for class_id, by_id in by_class.items()}


async def person_names(uow: UnitOfWork, person_ids: Iterable[int]) -> dict[int, str]:
    """person id → display name, in one statement by primary key (none for no ids): cheaper
    than joining `people` into a read of many rows, which PostgreSQL does by scanning it."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    return {person_id: name for person_id, name in await sets.rows(uow.session, select(
        Person.id, Person.display_name).where(sets.among(uow.session, Person.id, ids)))}


async def students_of_guardian(uow: UnitOfWork, class_id: int, person_id: int) -> list[int]:
    member = (await membership.members(uow, class_id)).get(person_id)
    return list(member.students) if member else []


async def _guardianships(uow: UnitOfWork, student_id: int) -> list[tuple[ClassMembership, Person]]:
    """The child's active guardians, with their rows (how many places are taken)."""
    return [(row, person) for row, person in (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.student_id == student_id, parents()))).all()]


async def _places_taken(uow: UnitOfWork, student_id: int) -> list[tuple[ClassMembership, Person]]:
    """Active guardians and those waiting for #批准: a waiting registration holds its place."""
    return [(row, person) for row, person in (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.student_id == student_id,
               or_(parents(), and_(ClassMembership.role == Role.PARENT,
                                   ClassMembership.pending)))
        .order_by(ClassMembership.id))).all()]


def same_relation(relation: str) -> str:
    """爸爸 and 父亲 are one place in a family (so are 妈妈/母亲, 外公/姥爷, 外婆/姥姥)."""
    return _SAME.get(relation, relation)


_SAME = {"父亲": "爸爸", "母亲": "妈妈", "姥爷": "外公", "姥姥": "外婆"}
# Relations a family may hold more than once (two aunts, two guardians).
_REPEATABLE = frozenset({"哥哥", "姐姐", "叔叔", "阿姨", "舅舅", "姑姑", "监护人", "家长"})


def guardian_limit(uow: UnitOfWork, student: Student) -> int:
    """How many guardians this child may have: the head teacher's #允许, else the config."""
    return student.max_guardians or uow.config.max_guardians_per_student


# --- registering a guardian ----------------------------------------------------------------

class RegisterStatus(StrEnum):
    REGISTERED = "registered"
    PENDING = "pending"  # registration: approve — waits for the head teacher's #批准
    ALREADY = "already"
    NOT_ON_ROSTER = "not_on_roster"
    AMBIGUOUS = "ambiguous"  # two children of that name: write the mark
    FULL = "full"
    RELATION_TAKEN = "relation_taken"
    REMOVED = "removed"  # the head teacher removed this person from this family
    BAD_RELATION = "bad_relation"


@dataclass(frozen=True)
class RegisterResult:
    status: RegisterStatus
    student: str
    relation: str
    display_name: str = ""
    guardians: list[str] = field(default_factory=list)
    # AMBIGUOUS: the marked names to choose from; RELATION_TAKEN: relations still free.
    choices: list[str] = field(default_factory=list)
    limit: int = 0


# What the head teacher is told privately about (every registration, and the refusals they
# can do something about: a family that is full).
TOLD = frozenset({RegisterStatus.REGISTERED, RegisterStatus.PENDING, RegisterStatus.FULL})


async def register_guardian(uow: UnitOfWork, school_class: SchoolClass, identity: Identity,
                            student_name: str, relation: str) -> RegisterResult:
    if relation not in RELATIONS:
        return RegisterResult(RegisterStatus.BAD_RELATION, student_name, relation)
    student = await roster.student(uow, school_class.id, student_name)
    if student is None:
        namesakes = await roster.same_named(uow, school_class.id, student_name)
        if len(namesakes) > 1 or (namesakes and namesakes[0].name != student_name):
            return RegisterResult(RegisterStatus.AMBIGUOUS, student_name, relation,
                                  choices=[s.name for s in namesakes])
    if student is None and await roster.has_roster(uow, school_class.id):
        return RegisterResult(RegisterStatus.NOT_ON_ROSTER, student_name, relation)
    if student is None:
        student = await roster.add_student(uow, school_class.id, student_name)
    name = student.name
    taken = await _places_taken(uow, student.id)
    for row, person in taken:
        if person.id == identity.person_id:
            status = RegisterStatus.PENDING if row.pending else RegisterStatus.ALREADY
            return RegisterResult(status, name, row.relation or "", person.display_name)
    if identity.person_id is not None and await _was_removed(uow, student.id,
                                                             identity.person_id):
        return RegisterResult(RegisterStatus.REMOVED, name, relation)
    held = {same_relation(row.relation or "") for row, _ in taken}
    if same_relation(relation) in held and relation not in _REPEATABLE:
        free = [r for r in ("爸爸", "妈妈", "爷爷", "奶奶", "外公", "外婆") if r not in held]
        return RegisterResult(RegisterStatus.RELATION_TAKEN, name, relation,
                              guardians=[p.display_name for r, p in taken
                                         if same_relation(r.relation or "")
                                         == same_relation(relation)],
                              choices=free)
    limit = guardian_limit(uow, student)
    if len(taken) >= limit:
        return RegisterResult(RegisterStatus.FULL, name, relation,
                              guardians=[p.display_name for _, p in taken], limit=limit)
    display_name = f"{name}{relation}"
    if identity.person_id is None:
        person = Person(display_name=display_name, created_at=uow.now)
        uow.session.add(person)
        await uow.session.flush()
        identity.person_id = person.id
    else:
        person = await uow.session.get(Person, identity.person_id)
        assert person is not None
    waits = uow.config.registration == "approve"
    uow.session.add(ClassMembership(class_id=school_class.id, person_id=person.id,
                                    role=Role.PARENT, student_id=student.id, relation=relation,
                                    active=not waits, pending=waits, created_at=uow.now))
    await uow.session.flush()
    status = RegisterStatus.PENDING if waits else RegisterStatus.REGISTERED
    # A waiting registration is named as it will be; the person keeps their first name.
    shown = display_name if waits else person.display_name
    return RegisterResult(status, name, relation, shown)


async def head_teachers_to_tell(uow: UnitOfWork, school_class: SchoolClass) -> list[int]:
    """Who hears of registrations in the class: its head teacher(s)."""
    return [p.id for p in await head_teachers(uow, school_class.id)]


async def _was_removed(uow: UnitOfWork, student_id: int, person_id: int) -> bool:
    return bool(await uow.session.scalar(select(ClassMembership.id).where(
        ClassMembership.student_id == student_id, ClassMembership.person_id == person_id,
        ClassMembership.removed_at.is_not(None))))


# --- leaving and coming back to a bound group ----------------------------------------------

async def _rows_of_account(uow: UnitOfWork, class_id: int, channel: str, external_id: str,
                           *, active: bool) -> list[ClassMembership]:
    return list((await uow.session.scalars(
        select(ClassMembership).join(Identity, Identity.person_id == ClassMembership.person_id)
        .where(Identity.channel == channel, Identity.external_id == external_id,
               ClassMembership.class_id == class_id, parents(active=active)))).all())


async def member_left(uow: UnitOfWork, school_class: SchoolClass, channel: str,
                      external_id: str) -> int:
    """A parent left the class group: their guardianship goes inactive (no nudges, not counted
    as a family's guardian) but nothing is deleted — that happens only on request. Staff rows
    stay: teachers come from config and a head teacher must never lock themselves out."""
    rows = await _rows_of_account(uow, school_class.id, channel, external_id, active=True)
    for row in rows:
        row.active = False
    await uow.session.flush()
    return len(rows)


async def member_rejoined(uow: UnitOfWork, school_class: SchoolClass, channel: str,
                          external_id: str) -> bool:
    """A parent who left comes back: their earlier registration counts again, unless the
    family has meanwhile filled its guardian places."""
    restored = False
    for row in await _rows_of_account(uow, school_class.id, channel, external_id, active=False):
        if row.pending or row.removed_at is not None or row.student_id is None:
            continue  # waiting for #批准, or removed by the head teacher: not ours to restore
        student = await uow.session.get(Student, row.student_id)
        taken = len(await _guardianships(uow, row.student_id))
        if student is not None and student.removed_at is None \
                and taken < guardian_limit(uow, student):
            row.active = True
            restored = True
    await uow.session.flush()
    return restored
