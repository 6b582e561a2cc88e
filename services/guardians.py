"""Families: 实名 registration of guardians (学生姓名 + 关系), who the guardians of each child
are, and what happens to a guardianship when a parent leaves the class group or comes back.

Read tracking, RSVPs and check-ins are per family, so notices, meetings and the weekly update
all read families from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from models import ClassMembership, Identity, Person, Role, SchoolClass
from services import roster
from services.membership import parents
from services.uow import UnitOfWork

RELATIONS = ("爸爸", "妈妈", "父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷",
             "哥哥", "姐姐", "叔叔", "阿姨", "舅舅", "姑姑", "监护人", "家长")


@dataclass
class Guardian:
    person_id: int
    name: str


@dataclass
class Family:
    student_id: int
    student: str
    guardians: list[Guardian] = field(default_factory=list)


async def families(uow: UnitOfWork, class_id: int) -> list[Family]:
    """Every student of the class with their registered guardians (roster order).

    A guardian is named by this family's child (李红妈妈 in one class, 李明妈妈 in the other
    for a mother of two): the display name made at registration names the first child only."""
    by_id = {s.id: Family(s.id, s.name) for s in await roster.students(uow, class_id)}
    rows = (await uow.session.execute(
        select(ClassMembership.student_id, ClassMembership.relation, Person.id,
               Person.display_name)
        .join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.class_id == class_id, parents())
        .order_by(ClassMembership.id))).all()
    pupils = {family.student for family in by_id.values()}
    for student_id, relation, person_id, name in rows:
        if student_id in by_id:
            family = by_id[student_id]
            # Only a name made by registration for a child of another class (李明妈妈 in 李红's
            # class) is re-made for this child; a person known by their own name (王老师, also
            # a parent) or by a child of this class keeps it.
            by_child = bool(relation) and name.endswith(relation) \
                and name[:-len(relation)] not in pupils
            family.guardians.append(Guardian(
                person_id, f"{family.student}{relation}" if by_child else name))
    return list(by_id.values())


async def students_of_guardian(uow: UnitOfWork, class_id: int, person_id: int) -> list[int]:
    return [sid for sid in (await uow.session.scalars(select(ClassMembership.student_id).where(
        ClassMembership.class_id == class_id, ClassMembership.person_id == person_id,
        parents()))).all() if sid is not None]


async def _guardianships(uow: UnitOfWork, student_id: int) -> list[tuple[ClassMembership, Person]]:
    """The child's active guardians, with their rows (how many places are taken)."""
    return [(row, person) for row, person in (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.student_id == student_id, parents()))).all()]


# --- registering a guardian ----------------------------------------------------------------

class RegisterStatus(StrEnum):
    REGISTERED = "registered"
    ALREADY = "already"
    NOT_ON_ROSTER = "not_on_roster"
    FULL = "full"
    BAD_RELATION = "bad_relation"


@dataclass(frozen=True)
class RegisterResult:
    status: RegisterStatus
    student: str
    relation: str
    display_name: str = ""
    guardians: list[str] = field(default_factory=list)


async def register_guardian(uow: UnitOfWork, school_class: SchoolClass, identity: Identity,
                            student_name: str, relation: str) -> RegisterResult:
    if relation not in RELATIONS:
        return RegisterResult(RegisterStatus.BAD_RELATION, student_name, relation)
    student = await roster.student(uow, school_class.id, student_name)
    if student is None and await roster.has_roster(uow, school_class.id):
        return RegisterResult(RegisterStatus.NOT_ON_ROSTER, student_name, relation)
    if student is None:
        student = await roster.add_student(uow, school_class.id, student_name)
    guardians = await _guardianships(uow, student.id)
    for row, person in guardians:
        if person.id == identity.person_id:
            return RegisterResult(RegisterStatus.ALREADY, student_name, row.relation or "",
                                  person.display_name)
    if len(guardians) >= uow.config.max_guardians_per_student:
        return RegisterResult(RegisterStatus.FULL, student_name, relation,
                              guardians=[p.display_name for _, p in guardians])
    display_name = f"{student_name}{relation}"
    if identity.person_id is None:
        person = Person(display_name=display_name, created_at=uow.now)
        uow.session.add(person)
        await uow.session.flush()
        identity.person_id = person.id
    else:
        person = await uow.session.get(Person, identity.person_id)
        assert person is not None
    uow.session.add(ClassMembership(class_id=school_class.id, person_id=person.id,
                                    role=Role.PARENT, student_id=student.id, relation=relation,
                                    active=True, created_at=uow.now))
    await uow.session.flush()
    return RegisterResult(RegisterStatus.REGISTERED, student_name, relation, person.display_name)


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
        taken = len(await _guardianships(uow, row.student_id)) if row.student_id else 0
        if taken < uow.config.max_guardians_per_student:
            row.active = True
            restored = True
    await uow.session.flush()
    return restored
