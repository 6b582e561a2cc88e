"""#私信: a private message passed between a parent and a teacher of the same class.

Neither side learns the other's platform account: the bot carries the text, and a teacher's
office hours decide when it is delivered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.school_time import office_opens
from models import ClassMembership, Person, SchoolClass
from services import membership
from services.membership import STAFF_ROLES
from services.uow import UnitOfWork


async def find_member(uow: UnitOfWork, school_class: SchoolClass, name: str, *,
                      staff_only: bool) -> tuple[Person, bool] | None:
    """The class member called `name`, and whether they are staff (office hours apply)."""
    rows = (await uow.session.execute(
        select(Person, ClassMembership.role)
        .join(ClassMembership, ClassMembership.person_id == Person.id)
        .where(ClassMembership.class_id == school_class.id, Person.display_name == name,
               membership.holding(STAFF_ROLES) if staff_only else ClassMembership.active)
    )).all()
    if not rows:
        return None
    return rows[0][0], any(role in STAFF_ROLES for _, role in rows)


async def staff_names(uow: UnitOfWork, school_class: SchoolClass) -> list[str]:
    return list(dict.fromkeys(p.display_name for p in
                              await membership.staff_of_class(uow, school_class.id)))


def delivery_time(uow: UnitOfWork, school_class: SchoolClass, teacher: str) -> datetime | None:
    """When a message to this teacher may be delivered: None now, else their next opening."""
    hours = uow.config.mailbox.hours_of(teacher)
    return office_opens(uow.now, school_class.timezone, hours.start, hours.end,
                        hours.school_days_only, uow.config.school_days.calendar())
