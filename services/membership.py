"""Classes, groups and who is who in them (实名制: every parent is 学生姓名 + 关系)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select

from core.config import ClassSeed, PersonSeed
from core.events import ChatRef
from models import (
    ClassMembership,
    GroupBinding,
    Identity,
    Person,
    Role,
    SchoolClass,
    SchoolRole,
    Student,
)
from services import outbox
from services.uow import UnitOfWork

RELATIONS = ("爸爸", "妈妈", "父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷",
             "哥哥", "姐姐", "叔叔", "阿姨", "舅舅", "姑姑", "监护人", "家长")


# --- seeding -------------------------------------------------------------------------------

async def _person_with_ids(uow: UnitOfWork, seed: PersonSeed, channels: list[str]) -> Person:
    """Find or create a staff member from config, linking each platform id given."""
    person: Person | None = None
    links: list[tuple[str, str]] = []
    for channel in dict.fromkeys([*channels, *seed.ids]):
        external_id = seed.id_on(channel)
        if external_id:
            links.append((channel, external_id))
    for channel, external_id in links:
        identity = (await uow.session.scalars(select(Identity).where(
            Identity.channel == channel, Identity.external_id == external_id))).first()
        if identity and identity.person_id:
            person = await uow.session.get(Person, identity.person_id)
            break
    if person is None:
        person = Person(display_name=seed.name, created_at=uow.now)
        uow.session.add(person)
        await uow.session.flush()
    for channel, external_id in links:
        identity = (await uow.session.scalars(select(Identity).where(
            Identity.channel == channel, Identity.external_id == external_id))).first()
        if identity is None:
            identity = Identity(channel=channel, external_id=external_id,
                                display_name=seed.name, private_reachable=False)
            uow.session.add(identity)
        identity.person_id = person.id
    await uow.session.flush()
    return person


async def _ensure_membership(uow: UnitOfWork, class_id: int, person_id: int, role: Role,
                             subject: str | None = None) -> None:
    existing = (await uow.session.scalars(select(ClassMembership).where(
        ClassMembership.class_id == class_id, ClassMembership.person_id == person_id,
        ClassMembership.role == role))).first()
    if existing is None:
        uow.session.add(ClassMembership(class_id=class_id, person_id=person_id, role=role,
                                        subject=subject, active=True, created_at=uow.now))
    else:
        existing.active = True
        existing.subject = subject or existing.subject


async def ensure_class(uow: UnitOfWork, seed: ClassSeed, timezone: str,
                       channels: list[str]) -> tuple[SchoolClass, bool]:
    """Create (or top up) a class from a seed; idempotent, so start-up can run it every time."""
    school_class = (await uow.session.scalars(
        select(SchoolClass).where(SchoolClass.name == seed.name))).first()
    created = school_class is None
    if school_class is None:
        school_class = SchoolClass(name=seed.name, timezone=timezone, created_at=uow.now)
        uow.session.add(school_class)
        await uow.session.flush()
    for name in seed.roster:
        student = await _student(uow, school_class.id, name)
        if student is None:
            uow.session.add(Student(class_id=school_class.id, name=name, on_roster=True))
        else:
            student.on_roster = True
    head = await _person_with_ids(uow, seed.head_teacher, channels)
    await _ensure_membership(uow, school_class.id, head.id, Role.HEAD_TEACHER)
    for teacher in seed.teachers:
        person = await _person_with_ids(uow, teacher, channels)
        await _ensure_membership(uow, school_class.id, person.id, Role.TEACHER, teacher.subject)
    await uow.session.flush()
    return school_class, created


# --- lookups -------------------------------------------------------------------------------

async def _student(uow: UnitOfWork, class_id: int, name: str) -> Student | None:
    return (await uow.session.scalars(select(Student).where(
        Student.class_id == class_id, Student.name == name))).first()


async def all_classes(uow: UnitOfWork) -> list[SchoolClass]:
    return list((await uow.session.scalars(select(SchoolClass).order_by(SchoolClass.id))).all())


async def class_names(uow: UnitOfWork) -> list[str]:
    return list(await uow.session.scalars(select(SchoolClass.name).order_by(SchoolClass.id)))


async def class_of_chat(uow: UnitOfWork, chat: ChatRef) -> SchoolClass | None:
    binding = (await uow.session.scalars(select(GroupBinding).where(
        GroupBinding.channel == chat.channel, GroupBinding.chat_id == chat.chat_id))).first()
    return await uow.session.get(SchoolClass, binding.class_id) if binding else None


async def classes_of_person(uow: UnitOfWork, person_id: int) -> list[SchoolClass]:
    return list((await uow.session.scalars(
        select(SchoolClass).join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
        .where(ClassMembership.person_id == person_id, ClassMembership.active)
        .distinct().order_by(SchoolClass.id))).all())


async def roles_in(uow: UnitOfWork, person_id: int | None, class_id: int) -> frozenset[str]:
    """The sender's roles in a class as permission names; 'guest' when not a member."""
    if person_id is None:
        return frozenset({"guest"})
    rows = (await uow.session.scalars(select(ClassMembership).where(
        ClassMembership.class_id == class_id, ClassMembership.person_id == person_id,
        ClassMembership.active))).all()
    roles = {str(row.role) for row in rows} | {"committee" for row in rows if row.committee}
    roles |= await school_roles(uow, person_id)
    return frozenset(roles or {"guest"})


async def school_roles(uow: UnitOfWork, person_id: int) -> set[str]:
    """Roles above the classes (principal): they hold in every class and in private."""
    return set((await uow.session.scalars(select(SchoolRole.role).where(
        SchoolRole.person_id == person_id))).all())


async def people_with_school_role(uow: UnitOfWork, role: str) -> list[Person]:
    return list((await uow.session.scalars(
        select(Person).join(SchoolRole, SchoolRole.person_id == Person.id)
        .where(SchoolRole.role == role).order_by(Person.id))).all())


async def ensure_school_role(uow: UnitOfWork, seed: PersonSeed, role: str,
                             channels: list[str]) -> Person:
    """Seed a school-level person (a principal) from config; idempotent like ensure_class."""
    person = await _person_with_ids(uow, seed, channels)
    if role not in await school_roles(uow, person.id):
        uow.session.add(SchoolRole(person_id=person.id, role=role))
        await uow.session.flush()
    return person


async def bindings_of(uow: UnitOfWork, class_id: int) -> list[GroupBinding]:
    return list((await uow.session.scalars(select(GroupBinding).where(
        GroupBinding.class_id == class_id).order_by(GroupBinding.id))).all())


async def head_teachers(uow: UnitOfWork, class_id: int) -> list[Person]:
    return list((await uow.session.scalars(
        select(Person).join(ClassMembership, ClassMembership.person_id == Person.id)
        .where(ClassMembership.class_id == class_id, ClassMembership.active,
               ClassMembership.role == Role.HEAD_TEACHER))).all())


# --- binding a group -----------------------------------------------------------------------

class BindStatus(StrEnum):
    BOUND = "bound"
    ALREADY = "already"
    OTHER_CLASS = "other_class"
    NO_SUCH_CLASS = "no_such_class"
    NOT_HEAD_TEACHER = "not_head_teacher"


@dataclass(frozen=True)
class BindResult:
    status: BindStatus
    class_name: str
    known_classes: list[str] = field(default_factory=list)
    bound_class: str = ""


async def bind_group(uow: UnitOfWork, class_name: str, chat: ChatRef,
                     person_id: int | None) -> BindResult:
    school_class = (await uow.session.scalars(
        select(SchoolClass).where(SchoolClass.name == class_name))).first()
    if school_class is None:
        return BindResult(BindStatus.NO_SUCH_CLASS, class_name, await class_names(uow))
    if "head_teacher" not in await roles_in(uow, person_id, school_class.id):
        return BindResult(BindStatus.NOT_HEAD_TEACHER, class_name)
    current = await class_of_chat(uow, chat)
    if current is not None:
        status = BindStatus.ALREADY if current.id == school_class.id else BindStatus.OTHER_CLASS
        return BindResult(status, class_name, bound_class=current.name)
    uow.session.add(GroupBinding(class_id=school_class.id, channel=chat.channel,
                                 chat_id=chat.chat_id, title=chat.title, bound_at=uow.now))
    await uow.session.flush()
    return BindResult(BindStatus.BOUND, class_name)


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
    student = await _student(uow, school_class.id, student_name)
    has_roster = (await uow.session.scalar(select(func.count(Student.id)).where(
        Student.class_id == school_class.id, Student.on_roster))) or 0
    if student is None and has_roster:
        return RegisterResult(RegisterStatus.NOT_ON_ROSTER, student_name, relation)
    if student is None:
        student = Student(class_id=school_class.id, name=student_name, on_roster=False)
        uow.session.add(student)
        await uow.session.flush()
    guardians = (await uow.session.execute(
        select(ClassMembership, Person).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.student_id == student.id, ClassMembership.active,
               ClassMembership.role == Role.PARENT))).all()
    for membership, person in guardians:
        if person.id == identity.person_id:
            return RegisterResult(RegisterStatus.ALREADY, student_name, membership.relation or "",
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


# --- roles given by the head teacher -------------------------------------------------------

class AssignStatus(StrEnum):
    ASSIGNED = "assigned"
    ALREADY = "already"
    NOT_FOUND = "not_found"


async def assign_teacher(uow: UnitOfWork, school_class: SchoolClass, name: str,
                         subject: str) -> AssignStatus:
    """Make a group member a subject teacher; they must have written in a class group once."""
    channels = {b.channel for b in await bindings_of(uow, school_class.id)}
    identity = (await uow.session.scalars(select(Identity).where(
        Identity.display_name == name, Identity.channel.in_(channels))
        .order_by(Identity.last_seen_at.desc()))).first()
    person: Person | None = None
    if identity is not None and identity.person_id is not None:
        person = await uow.session.get(Person, identity.person_id)
    elif identity is not None:
        person = Person(display_name=name, created_at=uow.now)
        uow.session.add(person)
        await uow.session.flush()
        identity.person_id = person.id
    if person is None:
        return AssignStatus.NOT_FOUND
    before = await roles_in(uow, person.id, school_class.id)
    await _ensure_membership(uow, school_class.id, person.id, Role.TEACHER, subject)
    await uow.session.flush()
    return AssignStatus.ALREADY if "teacher" in before else AssignStatus.ASSIGNED


async def assign_committee(uow: UnitOfWork, school_class: SchoolClass,
                           display_name: str) -> AssignStatus:
    rows = (await uow.session.scalars(
        select(ClassMembership).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.class_id == school_class.id, ClassMembership.active,
               ClassMembership.role == Role.PARENT, Person.display_name == display_name))).all()
    if not rows:
        return AssignStatus.NOT_FOUND
    if all(row.committee for row in rows):
        return AssignStatus.ALREADY
    for row in rows:
        row.committee = True
    return AssignStatus.ASSIGNED


# --- families ------------------------------------------------------------------------------

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
    """Every student of the class with their registered guardians (roster order)."""
    students = (await uow.session.scalars(select(Student).where(
        Student.class_id == class_id).order_by(Student.id))).all()
    by_id = {s.id: Family(s.id, s.name) for s in students}
    rows = (await uow.session.execute(
        select(ClassMembership.student_id, Person.id, Person.display_name)
        .join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.class_id == class_id, ClassMembership.active,
               ClassMembership.role == Role.PARENT)
        .order_by(ClassMembership.id))).all()
    for student_id, person_id, name in rows:
        if student_id in by_id:
            by_id[student_id].guardians.append(Guardian(person_id, name))
    return list(by_id.values())


async def students_of_guardian(uow: UnitOfWork, class_id: int, person_id: int) -> list[int]:
    return [sid for sid in (await uow.session.scalars(select(ClassMembership.student_id).where(
        ClassMembership.class_id == class_id, ClassMembership.person_id == person_id,
        ClassMembership.role == Role.PARENT, ClassMembership.active))).all() if sid is not None]


async def class_of_id(uow: UnitOfWork, class_id: int) -> SchoolClass | None:
    return await uow.session.get(SchoolClass, class_id)


# --- joining and leaving a bound group -----------------------------------------------------

async def _parent_rows(uow: UnitOfWork, class_id: int, channel: str, external_id: str,
                       *, active: bool) -> list[ClassMembership]:
    return list((await uow.session.scalars(
        select(ClassMembership).join(Identity, Identity.person_id == ClassMembership.person_id)
        .where(Identity.channel == channel, Identity.external_id == external_id,
               ClassMembership.class_id == class_id, ClassMembership.role == Role.PARENT,
               ClassMembership.active == active))).all())


async def member_left(uow: UnitOfWork, school_class: SchoolClass, channel: str,
                      external_id: str) -> int:
    """A parent left the class group: their guardianship goes inactive (no nudges, not counted
    as a family's guardian) but nothing is deleted — that happens only on request. Staff rows
    stay: teachers come from config and a head teacher must never lock themselves out."""
    rows = await _parent_rows(uow, school_class.id, channel, external_id, active=True)
    for row in rows:
        row.active = False
    await uow.session.flush()
    return len(rows)


async def member_rejoined(uow: UnitOfWork, school_class: SchoolClass, channel: str,
                          external_id: str) -> bool:
    """A parent who left comes back: their earlier registration counts again, unless the
    family has meanwhile filled its guardian places."""
    restored = False
    for row in await _parent_rows(uow, school_class.id, channel, external_id, active=False):
        taken = (await uow.session.scalar(select(func.count(ClassMembership.id)).where(
            ClassMembership.student_id == row.student_id, ClassMembership.active,
            ClassMembership.role == Role.PARENT))) or 0
        if taken < uow.config.max_guardians_per_student:
            row.active = True
            restored = True
    await uow.session.flush()
    return restored


# --- a group's own changes (platform events) -----------------------------------------------

async def move_group(uow: UnitOfWork, chat: ChatRef, new_chat_id: str) -> bool:
    """The group got a new id (Telegram group → supergroup): its binding and queued messages
    follow, so nothing waits forever on a chat that no longer exists."""
    binding = (await uow.session.scalars(select(GroupBinding).where(
        GroupBinding.channel == chat.channel, GroupBinding.chat_id == chat.chat_id))).first()
    await outbox.move_pending(uow, chat.channel, chat.chat_id, new_chat_id)
    if binding is None:
        return False
    taken = await class_of_chat(uow, ChatRef(chat.channel, new_chat_id, chat.kind))
    if taken is not None:  # the new id was bound meanwhile: keep that one
        await uow.session.delete(binding)
    else:
        binding.chat_id = new_chat_id
    await uow.session.flush()
    return True


async def unbind_group(uow: UnitOfWork, chat: ChatRef) -> bool:
    """The bot left the group (removed, or the group deleted): stop posting there."""
    binding = (await uow.session.scalars(select(GroupBinding).where(
        GroupBinding.channel == chat.channel, GroupBinding.chat_id == chat.chat_id))).first()
    if binding is None:
        return False
    await uow.session.delete(binding)
    await uow.session.flush()
    return True
