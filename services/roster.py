"""Classes and their students (the roster): what exists, before anyone holds a role in it."""

from __future__ import annotations

from sqlalchemy import func, select

from models import SchoolClass, Student
from services.uow import UnitOfWork


async def all_classes(uow: UnitOfWork) -> list[SchoolClass]:
    return list((await uow.session.scalars(select(SchoolClass).order_by(SchoolClass.id))).all())


async def class_names(uow: UnitOfWork) -> list[str]:
    return list(await uow.session.scalars(select(SchoolClass.name).order_by(SchoolClass.id)))


async def class_named(uow: UnitOfWork, name: str) -> SchoolClass | None:
    return (await uow.session.scalars(
        select(SchoolClass).where(SchoolClass.name == name))).first()


async def class_of_id(uow: UnitOfWork, class_id: int) -> SchoolClass | None:
    return await uow.session.get(SchoolClass, class_id)


async def ensure_class(uow: UnitOfWork, name: str, timezone: str) -> tuple[SchoolClass, bool]:
    """The class called `name`, created if needed; True when it was created now."""
    school_class = await class_named(uow, name)
    if school_class is not None:
        return school_class, False
    school_class = SchoolClass(name=name, timezone=timezone, created_at=uow.now)
    uow.session.add(school_class)
    await uow.session.flush()
    return school_class, True


async def student(uow: UnitOfWork, class_id: int, name: str) -> Student | None:
    return (await uow.session.scalars(select(Student).where(
        Student.class_id == class_id, Student.name == name))).first()


async def students(uow: UnitOfWork, class_id: int) -> list[Student]:
    """The class's students in roster order (as they were added)."""
    return list((await uow.session.scalars(select(Student).where(
        Student.class_id == class_id).order_by(Student.id))).all())


async def put_on_roster(uow: UnitOfWork, class_id: int, names: list[str]) -> None:
    """Every name becomes (or stays) a roster student; idempotent, like all seeding."""
    for name in names:
        found = await student(uow, class_id, name)
        if found is None:
            uow.session.add(Student(class_id=class_id, name=name, on_roster=True))
        else:
            found.on_roster = True


async def has_roster(uow: UnitOfWork, class_id: int) -> bool:
    """Whether registration is checked against a roster (else any child's name is taken)."""
    return bool(await uow.session.scalar(select(func.count(Student.id)).where(
        Student.class_id == class_id, Student.on_roster)))


async def add_student(uow: UnitOfWork, class_id: int, name: str) -> Student:
    """A child a parent registered in a class that keeps no roster."""
    added = Student(class_id=class_id, name=name, on_roster=False)
    uow.session.add(added)
    await uow.session.flush()
    return added
