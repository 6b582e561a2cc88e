"""Who holds which role in a class (head teacher, teacher, parent, committee) or above the
classes (principal), and the roles the head teacher gives.

The filters `parents` and `holding` are the one definition of "an active guardianship" and "an
active staff member": every query about families or staff across the services builds on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, select

from core.events import UserRef
from models import ClassMembership, GroupBinding, Identity, Person, Role, SchoolClass, SchoolRole
from services import directory, identities
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
    member = (await members(uow, class_id)).get(person_id)
    roles = (member.roles if member else frozenset()) | await school_roles(uow, person_id)
    return frozenset(roles or {"guest"})


@dataclass(frozen=True)
class Member:
    """One person's active rows in a class, as the hot paths need them."""

    roles: frozenset[str]  # permission names, 'committee' included
    students: tuple[int, ...]  # the children they are an active guardian of


async def members(uow: UnitOfWork, class_id: int) -> dict[int, Member]:
    """Every active member of a class by person id, read once per class into the directory
    (services/directory.py), with the members' person rows, so the first message of each
    parent in a flood costs no lookups of its own."""
    async def load() -> dict[int, Member]:
        rows = (await uow.session.execute(
            select(ClassMembership.role, ClassMembership.committee, ClassMembership.student_id,
                   Person).join(Person, Person.id == ClassMembership.person_id)
            .where(ClassMembership.class_id == class_id, ClassMembership.active)
            .order_by(ClassMembership.id))).all()
        roles: dict[int, set[str]] = {}
        students: dict[int, list[int]] = {}
        for role, committee, student_id, person in rows:
            directory.remember(uow, person)
            roles.setdefault(person.id, set()).update(
                {str(role), "committee"} if committee else {str(role)})
            kids = students.setdefault(person.id, [])
            if role == Role.PARENT and student_id is not None:
                kids.append(student_id)
        return {pid: Member(frozenset(r), tuple(students[pid])) for pid, r in roles.items()}

    return await directory.cached(uow, ("members", class_id), load)


async def school_roles(uow: UnitOfWork, person_id: int) -> set[str]:
    """Roles above the classes (principal): they hold in every class and in private."""
    async def load() -> dict[int, frozenset[str]]:
        held: dict[int, set[str]] = {}
        for pid, role in (await uow.session.execute(
                select(SchoolRole.person_id, SchoolRole.role))).all():
            held.setdefault(pid, set()).add(role)
        return {pid: frozenset(roles) for pid, roles in held.items()}

    # The whole table at once: it holds the few principals seeded from config.
    return set((await directory.cached(uow, ("school_roles",), load)).get(person_id, ()))


async def classes_of_person(uow: UnitOfWork, person_id: int) -> list[SchoolClass]:
    async def load() -> list[SchoolClass]:
        return [directory.detached(c) for c in (await uow.session.scalars(
            select(SchoolClass).join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
            .where(ClassMembership.person_id == person_id, ClassMembership.active)
            .distinct().order_by(SchoolClass.id))).all()]

    return await directory.attach_all(
        uow, await directory.cached(uow, ("classes_of_person", person_id), load))


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
    AMBIGUOUS = "ambiguous"  # two or more people fit: the head teacher is asked to point
    POINT = "point"  # a display name alone picks nobody: @-mention or quote the person


@dataclass(frozen=True)
class Pointing:
    """How a role command names its person: the typed name, and whom the message points at
    by account (event.mentioned, event.reply_to_sender). `names_are_accounts`: the channel's
    names are its accounts (the console), so the name alone is unambiguous there."""

    name: str
    channel: str
    accounts: tuple[UserRef, ...] = ()
    names_are_accounts: bool = False


@dataclass(frozen=True)
class Assigned:
    status: AssignStatus
    candidates: int = 0


async def _pointed_person(uow: UnitOfWork, ref: UserRef, name: str,
                         create: bool) -> Person | None:
    """The person behind an account the message points at; with `create`, an account the bot
    knows no person for becomes one, called `name` (what the head teacher calls them)."""
    identity = await identities.by_account(uow, ref.channel, ref.user_id)
    if identity is None and not create:
        return None
    if identity is None:
        identity = Identity(channel=ref.channel, external_id=ref.user_id,
                            display_name=ref.display_name, private_reachable=False)
        uow.session.add(identity)
    if identity.person_id is not None:
        person = await uow.session.get(Person, identity.person_id)
        if person is not None:
            return person
    if not create:
        return None
    person = Person(display_name=name, created_at=uow.now)
    uow.session.add(person)
    await uow.session.flush()
    identity.person_id = person.id
    return person


async def _by_name(uow: UnitOfWork, school_class: SchoolClass, how: Pointing,
                   registered: ColumnElement[bool]) -> list[Person | Identity]:
    """Who a name alone may mean: people of the class registered under it (`registered` says
    in which membership), and on a channel whose names are accounts, that account if it wrote
    in one of the class's groups' channel. A platform display name never counts."""
    found: dict[str, Person | Identity] = {}
    for person in (await uow.session.scalars(
            select(Person).join(ClassMembership, ClassMembership.person_id == Person.id)
            .where(ClassMembership.class_id == school_class.id, registered,
                   Person.display_name == how.name))).all():
        found[f"p{person.id}"] = person
    if how.names_are_accounts:
        bound = select(GroupBinding.channel).where(GroupBinding.class_id == school_class.id)
        identity = (await uow.session.scalars(select(Identity).where(
            Identity.channel == how.channel, Identity.external_id == how.name,
            Identity.channel.in_(bound)))).first()
        if identity is not None:
            key = f"p{identity.person_id}" if identity.person_id else f"i{identity.id}"
            found.setdefault(key, identity)
    return list(found.values())


async def pick(uow: UnitOfWork, school_class: SchoolClass, how: Pointing,
               registered: ColumnElement[bool],
               create: bool) -> tuple[Person | None, Assigned | None]:
    """The one person a role command means, or why there is none (ask, point, not found).
    `create`: an account not yet a person becomes one (a new teacher; never a committee
    member, who must be a registered parent)."""
    accounts = list({(a.channel, a.user_id): a for a in how.accounts}.values())
    if len(accounts) > 1:
        return None, Assigned(AssignStatus.AMBIGUOUS, len(accounts))
    if accounts:
        person = await _pointed_person(uow, accounts[0], how.name, create)
        return person, None if person else Assigned(AssignStatus.NOT_FOUND)
    candidates = await _by_name(uow, school_class, how, registered)
    if len(candidates) > 1:
        return None, Assigned(AssignStatus.AMBIGUOUS, len(candidates))
    if not candidates:
        return None, Assigned(AssignStatus.NOT_FOUND if how.names_are_accounts
                              else AssignStatus.POINT)
    [found] = candidates
    if isinstance(found, Person):
        return found, None
    person = await _pointed_person(uow, UserRef(found.channel, found.external_id,
                                                found.display_name), how.name, create)
    return person, None if person else Assigned(AssignStatus.NOT_FOUND)


async def assign_teacher(uow: UnitOfWork, school_class: SchoolClass, how: Pointing,
                         subject: str) -> Assigned:
    """Make a person a subject teacher: the one the message points at (@-mention, quote), or
    the one registered in the class under that name, or on the console the account of that
    name (it must have written in a class group once). Never "whoever is called that now"."""
    person, refused = await pick(uow, school_class, how, ClassMembership.active, create=True)
    if person is None:
        return refused or Assigned(AssignStatus.NOT_FOUND)
    before = await roles_in(uow, person.id, school_class.id)
    await ensure_role(uow, school_class.id, person.id, Role.TEACHER, subject)
    await uow.session.flush()
    return Assigned(AssignStatus.ALREADY if "teacher" in before else AssignStatus.ASSIGNED)


async def assign_committee(uow: UnitOfWork, school_class: SchoolClass,
                           how: Pointing) -> Assigned:
    """Make a registered parent of the class a committee member (by the name they registered
    with, 学生姓名+关系, or the account the message points at)."""
    person, refused = await pick(uow, school_class, how, parents(), create=False)
    if person is None:
        return refused or Assigned(AssignStatus.NOT_FOUND)
    rows = (await uow.session.scalars(select(ClassMembership).where(
        ClassMembership.class_id == school_class.id, ClassMembership.person_id == person.id,
        parents()))).all()
    if not rows:
        return Assigned(AssignStatus.NOT_FOUND)
    if all(row.committee for row in rows):
        return Assigned(AssignStatus.ALREADY)
    for row in rows:
        row.committee = True
    return Assigned(AssignStatus.ASSIGNED)
