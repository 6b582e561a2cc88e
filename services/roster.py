"""Classes and their students (the roster): what exists, before anyone holds a role in it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from models import ClassMembership, Person, SchoolClass, Student
from services import directory, sets
from services.uow import UnitOfWork


async def all_classes(uow: UnitOfWork) -> list[SchoolClass]:
    return list((await uow.session.scalars(select(SchoolClass).order_by(SchoolClass.id))).all())


async def class_names(uow: UnitOfWork) -> list[str]:
    return list(await uow.session.scalars(select(SchoolClass.name).order_by(SchoolClass.id)))


async def class_named(uow: UnitOfWork, name: str) -> SchoolClass | None:
    return (await uow.session.scalars(
        select(SchoolClass).where(SchoolClass.name == name))).first()


async def class_of_id(uow: UnitOfWork, class_id: int) -> SchoolClass | None:
    return await directory.row(uow, SchoolClass, class_id)


async def classes_of_ids(uow: UnitOfWork, class_ids: Sequence[int]) -> dict[int, SchoolClass]:
    """class id → class, for the ids that name one, in one statement."""
    return {c.id: c for c in (await uow.session.scalars(select(SchoolClass).where(
        sets.among(uow.session, SchoolClass.id, class_ids)))).all()}


async def ensure_class(uow: UnitOfWork, name: str, timezone: str) -> tuple[SchoolClass, bool]:
    """The class called `name`, created if needed; True when it was created now."""
    school_class = await class_named(uow, name)
    if school_class is not None:
        return school_class, False
    school_class = SchoolClass(name=name, timezone=timezone, created_at=uow.now)
    uow.session.add(school_class)
    await uow.session.flush()
    return school_class, True


def normal_name(name: str) -> str:
    """A child's name as stored: full-width brackets of a mark (王一（2）) written ASCII."""
    return name.strip().replace("（", "(").replace("）", ")")


def base_name(name: str) -> str:
    """The name without its mark: 王一(2) → 王一."""
    found = _MARKED.match(name)
    return found.group(1) if found else name


def _mark(name: str) -> int:
    found = _MARKED.match(name)
    return int(found.group(2)) if found else 0


_MARKED = re.compile(r"^(.+)\((\d+)\)$")


def current() -> ColumnElement[bool]:
    """Students still on the roster (#删学生 removes one from every count from then on)."""
    return Student.removed_at.is_(None)


async def student(uow: UnitOfWork, class_id: int, name: str) -> Student | None:
    """The class's (not removed) student of exactly this name, mark included."""
    return (await uow.session.scalars(select(Student).where(
        Student.class_id == class_id, Student.name == normal_name(name), current()))).first()


async def students(uow: UnitOfWork, class_id: int) -> list[Student]:
    """The class's students in roster order (as they were added), removed ones left out."""
    return list((await uow.session.scalars(select(Student).where(
        Student.class_id == class_id, current()).order_by(Student.id))).all())


async def names_of(uow: UnitOfWork, class_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """(class id, student id, name) of these classes' students, each class in roster order:
    `students` for many classes in one statement, without loading rows (the weekly burst)."""
    rows = await sets.rows(uow.session, select(Student.class_id, Student.id, Student.name).where(
        sets.among(uow.session, Student.class_id, class_ids), current()).order_by(Student.id))
    return [(class_id, student_id, name) for class_id, student_id, name in rows]


async def names_by_class(uow: UnitOfWork, class_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """class id → student id → name (`names_of` by class; every class has its entry)."""
    found: dict[int, dict[int, str]] = {class_id: {} for class_id in class_ids}
    for class_id, student_id, name in await names_of(uow, list(found)):
        found[class_id][student_id] = name
    return found


async def same_named(uow: UnitOfWork, class_id: int, name: str, *,
                     removed: bool = False) -> list[Student]:
    """Every student called `name`, with or without a mark (王一, 王一(1), 王一(2) …);
    removed ones too when asked (a mark is never given twice)."""
    base = base_name(normal_name(name))
    rows = (await uow.session.scalars(select(Student).where(
        Student.class_id == class_id, Student.name.startswith(base)).order_by(Student.id))).all()
    return [s for s in rows if base_name(s.name) == base and (removed or s.removed_at is None)]


@dataclass(frozen=True)
class Added:
    """What adding one name did: the name stored, and a same-named child who got a mark."""

    name: str
    renamed_from: str = ""
    renamed_to: str = ""
    restored: bool = False


async def _rename(uow: UnitOfWork, found: Student, new_name: str) -> None:
    """A child gets a mark: their guardians' names (王一妈妈) follow (王一(1)妈妈)."""
    people = (await uow.session.scalars(
        select(Person).join(ClassMembership, ClassMembership.person_id == Person.id)
        .where(ClassMembership.student_id == found.id))).all()
    for person in people:
        if person.display_name.startswith(found.name):
            person.display_name = new_name + person.display_name[len(found.name):]
    found.name = new_name


async def add_to_roster(uow: UnitOfWork, class_id: int, name: str) -> Added:
    """One more child on the roster. A second child of a name already there makes both
    marked: the first becomes 王一(1) (guardians' names follow), the new one 王一(2)."""
    name = base_name(normal_name(name))
    current = await same_named(uow, class_id, name)
    every = await same_named(uow, class_id, name, removed=True)
    if not current:
        gone = next((s for s in every if s.name == name), None)
        if gone is not None:  # removed earlier and added again: the same row comes back
            gone.removed_at, gone.on_roster = None, True
            return Added(name, restored=True)
        uow.session.add(Student(class_id=class_id, name=name, on_roster=True))
        await uow.session.flush()
        return Added(name)
    renamed_from = renamed_to = ""
    plain = next((s for s in every if s.name == name), None)
    taken = max((_mark(s.name) for s in every), default=0)
    if plain is not None:
        taken += 1
        renamed_from, renamed_to = plain.name, f"{name}({taken})"
        await _rename(uow, plain, renamed_to)
    added = f"{name}({taken + 1})"
    uow.session.add(Student(class_id=class_id, name=added, on_roster=True))
    await uow.session.flush()
    return Added(added, renamed_from, renamed_to)


async def put_on_roster(uow: UnitOfWork, class_id: int, names: list[str]) -> list[Added]:
    """Every name becomes (or stays) a roster student; idempotent, like all seeding. A name
    listed twice is two children (marked); a child removed by #删学生 is not put back."""
    wanted = Counter(base_name(normal_name(n)) for n in names)
    done: list[Added] = []
    for name, count in wanted.items():
        every = await same_named(uow, class_id, name, removed=True)
        for found in every:
            found.on_roster = True
        for _ in range(count - len(every)):
            done.append(await add_to_roster(uow, class_id, name))
    await uow.session.flush()
    return done


async def remove_student(uow: UnitOfWork, found: Student) -> None:
    found.removed_at = uow.now
    found.on_roster = False


async def has_roster(uow: UnitOfWork, class_id: int) -> bool:
    """Whether registration is checked against a roster (else any child's name is taken)."""
    return bool(await uow.session.scalar(select(func.count(Student.id)).where(
        Student.class_id == class_id, Student.on_roster)))


async def add_student(uow: UnitOfWork, class_id: int, name: str) -> Student:
    """A child a parent registered in a class that keeps no roster."""
    added = Student(class_id=class_id, name=normal_name(name), on_roster=False)
    uow.session.add(added)
    await uow.session.flush()
    return added
