"""What config declares, made true in the database at every start: classes with their roster,
head teacher and teachers, and the principals. Idempotent: running it again changes nothing."""

from __future__ import annotations

import logging

from core.config import ClassSeed, PersonSeed
from models import Person, Role, SchoolClass, SchoolRole
from services import identities, membership, roster
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


async def ensure_class(uow: UnitOfWork, seed: ClassSeed, timezone: str,
                       channels: list[str]) -> tuple[SchoolClass, bool]:
    """Create (or top up) a class from a seed; True when the class was created now."""
    school_class, created = await roster.ensure_class(uow, seed.name, timezone)
    await roster.put_on_roster(uow, school_class.id, seed.roster)
    head = await identities.person_with_ids(uow, seed.head_teacher, channels)
    current = await membership.head_teachers(uow, school_class.id)
    if not current or head.id in {p.id for p in current}:
        await membership.ensure_role(uow, school_class.id, head.id, Role.HEAD_TEACHER)
    else:  # handed over from the chat (#移交/#接受): the class has its head teacher
        log.info("class %s keeps its head teacher; config names another", school_class.id)
    for teacher in seed.teachers:
        person = await identities.person_with_ids(uow, teacher, channels)
        await membership.ensure_role(uow, school_class.id, person.id, Role.TEACHER,
                                     teacher.subject)
    await uow.session.flush()
    return school_class, created


async def ensure_school_role(uow: UnitOfWork, seed: PersonSeed, role: str,
                             channels: list[str]) -> Person:
    """A school-level person (a principal) from config."""
    person = await identities.person_with_ids(uow, seed, channels)
    if role not in await membership.school_roles(uow, person.id):
        uow.session.add(SchoolRole(person_id=person.id, role=role))
        await uow.session.flush()
    return person
