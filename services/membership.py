"""Who holds which role in a class (head teacher, teacher, parent, committee) or above the
classes (principal), and the roles the head teacher gives.

The filters `parents` and `holding` are the one definition of "an active guardianship" and "an
active staff member": every query about families or staff across the services builds on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, select

from models import ClassMembership, GroupBinding, Identity, Person, Role, SchoolClass, SchoolRole
from services.uow import UnitOfWork

STAFF_ROLES = (Role.HEAD_TEACHER, Role.TEACHER)


def parents(*, active: bool = True) -> ColumnElement[bool]:
    """Guardianship rows: active ones, or (active=False) those left behind by leaving."""
    return and_(ClassMembership.role == Role.PARENT, ClassMembership.active == active)


def holding(roles: Iterable[Role]) -> ColumnElement[bool]:
    """Active rows of these roles (STAFF_ROLES: the class's teachers)."""
    return and_(ClassMembership.active, ClassMembership.role.in_(tuple(roles)))


# --- roles ---------------------------------------------------------------------------------

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


async def classes_of_person(uow: UnitOfWork, person_id: int) -> list[SchoolClass]:
    return list((await uow.session.scalars(
        select(SchoolClass).join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
        .where(ClassMembership.person_id == person_id, ClassMembership.active)
        .distinct().order_by(SchoolClass.id))).all())


async def staff_of_class(uow: UnitOfWork, class_id: int,
                         roles: Iterable[Role] = STAFF_ROLES) -> list[Person]:
    """The class's staff (or those of `roles`), each once, in the order they joined it."""
    people = (await uow.session.scalars(
        select(Person).join(ClassMembership, ClassMembership.person_id == Person.id)
        .where(ClassMembership.class_id == class_id, holding(roles))
        .order_by(ClassMembership.id))).all()
    return list({person.id: person for person in people}.values())


async def head_teachers(uow: UnitOfWork, class_id: int) -> list[Person]:
    return await staff_of_class(uow, class_id, (Role.HEAD_TEACHER,))


async def people_with_school_role(uow: UnitOfWork, role: str) -> list[Person]:
    return list((await uow.session.scalars(
        select(Person).join(SchoolRole, SchoolRole.person_id == Person.id)
        .where(SchoolRole.role == role).order_by(Person.id))).all())


# --- giving roles --------------------------------------------------------------------------

async def ensure_role(uow: UnitOfWork, class_id: int, person_id: int, role: Role,
                      subject: str | None = None) -> None:
    """The person holds `role` in the class (again, if they had left it)."""
    existing = (await uow.session.scalars(select(ClassMembership).where(
        ClassMembership.class_id == class_id, ClassMembership.person_id == person_id,
        ClassMembership.role == role))).first()
    if existing is None:
        uow.session.add(ClassMembership(class_id=class_id, person_id=person_id, role=role,
                                        subject=subject, active=True, created_at=uow.now))
    else:
        existing.active = True
        existing.subject = subject or existing.subject


class AssignStatus(StrEnum):
    ASSIGNED = "assigned"
    ALREADY = "already"
    NOT_FOUND = "not_found"


async def group_member_named(uow: UnitOfWork, school_class: SchoolClass,
                             name: str) -> Person | None:
    """A person by the name they go by: a staff member of the class, else someone who has
    written under that name on a channel the class is bound on (made a person now)."""
    for person in await staff_of_class(uow, school_class.id):
        if person.display_name == name:
            return person
    class_channels = select(GroupBinding.channel).where(GroupBinding.class_id == school_class.id)
    identity = (await uow.session.scalars(select(Identity).where(
        Identity.display_name == name, Identity.channel.in_(class_channels))
        .order_by(Identity.last_seen_at.desc()))).first()
    if identity is None:
        return None
    if identity.person_id is not None:
        return await uow.session.get(Person, identity.person_id)
    person = Person(display_name=name, created_at=uow.now)
    uow.session.add(person)
    await uow.session.flush()
    identity.person_id = person.id
    return person


async def assign_teacher(uow: UnitOfWork, school_class: SchoolClass, name: str,
                         subject: str) -> AssignStatus:
    """Make a group member a subject teacher; they must have written in a class group once."""
    person = await group_member_named(uow, school_class, name)
    if person is None:
        return AssignStatus.NOT_FOUND
    before = await roles_in(uow, person.id, school_class.id)
    await ensure_role(uow, school_class.id, person.id, Role.TEACHER, subject)
    await uow.session.flush()
    return AssignStatus.ALREADY if "teacher" in before else AssignStatus.ASSIGNED


async def assign_committee(uow: UnitOfWork, school_class: SchoolClass,
                           display_name: str) -> AssignStatus:
    rows = (await uow.session.scalars(
        select(ClassMembership).join(Person, Person.id == ClassMembership.person_id)
        .where(ClassMembership.class_id == school_class.id, parents(),
               Person.display_name == display_name))).all()
    if not rows:
        return AssignStatus.NOT_FOUND
    if all(row.committee for row in rows):
        return AssignStatus.ALREADY
    for row in rows:
        row.committee = True
    return AssignStatus.ASSIGNED
