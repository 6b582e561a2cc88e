"""What config declares, made true in the database at every start: classes with their roster,
head teacher and teachers, and the principals. Idempotent: running it again changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from core.config import ClassSeed, PersonSeed
from models import Person, Role, SchoolClass, SchoolRole
from services import identities, membership, ownership, roster
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


@dataclass(frozen=True)
class ClassAdded:
    """What `classbot class add` stored, to be reported exactly."""

    created: bool
    refused_by: list[str] = field(default_factory=list)  # the head teacher(s) it would replace
    added: list[str] = field(default_factory=list)  # new students, as finally named
    already: list[str] = field(default_factory=list)  # asked for, already on the roster
    marked: list[str] = field(default_factory=list)  # same-name students and their marks
    replaced: list[str] = field(default_factory=list)  # former head teachers, now teachers


async def add_class(uow: UnitOfWork, seed: ClassSeed, timezone: str, channels: list[str], *,
                    replace: bool) -> ClassAdded:
    """A class from the command line: like the config's seeding, but a class that already has
    another active head teacher is left alone unless `replace` says to replace them."""
    school_class, created = await roster.ensure_class(uow, seed.name, timezone)
    head = await identities.person_with_ids(uow, seed.head_teacher, channels)
    current = [p for p in await membership.head_teachers(uow, school_class.id)
               if p.id != head.id]
    if current and not replace:
        return ClassAdded(created, refused_by=[p.display_name for p in current])
    before = {s.name for s in await roster.students(uow, school_class.id)}
    added = await roster.put_on_roster(uow, school_class.id, seed.roster)
    names = [a.name for a in added]
    for a in added:
        if a.renamed_from:
            names = [a.renamed_to if n == a.renamed_from else n for n in names]
    marked = sorted({s.name for a in added if a.renamed_from or "(" in a.name
                     for s in await roster.same_named(uow, school_class.id, a.name)})
    wanted = {roster.base_name(roster.normal_name(n)) for n in seed.roster}
    already = [n for n in sorted(before) if roster.base_name(n) in wanted
               and n not in names]
    previous = await ownership.replace_head_teacher(uow, school_class.id, head.id)
    for teacher in seed.teachers:
        person = await identities.person_with_ids(uow, teacher, channels)
        await membership.ensure_role(uow, school_class.id, person.id, Role.TEACHER,
                                     teacher.subject)
    await uow.session.flush()
    return ClassAdded(created, added=names, already=already, marked=marked,
                      replaced=[p.display_name for p in previous])


async def ensure_school_role(uow: UnitOfWork, seed: PersonSeed, role: str,
                             channels: list[str]) -> Person:
    """A school-level person (a principal) from config."""
    person = await identities.person_with_ids(uow, seed, channels)
    if role not in await membership.school_roles(uow, person.id):
        uow.session.add(SchoolRole(person_id=person.id, role=role))
        await uow.session.flush()
    return person
