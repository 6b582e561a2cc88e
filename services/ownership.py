"""Who owns a class: the head teacher hands it to another teacher (#移交 李老师), who must
accept (#接受). Until then nothing changes; a new #移交 replaces the offer.

The one handing over stays in the class as a subject teacher (their notices and letters keep
an author who can still act on them); the new head teacher gets every head-teacher command.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from models import ClassMembership, Person, Role, SchoolClass
from services import membership
from services.uow import UnitOfWork


class HandoverStatus(StrEnum):
    OFFERED = "offered"
    NOT_FOUND = "not_found"
    SELF = "self"
    AMBIGUOUS = "ambiguous"  # several people fit the name: @-mention or quote one
    POINT = "point"  # a display name alone picks nobody: @-mention or quote the person


@dataclass(frozen=True)
class Handover:
    status: HandoverStatus
    name: str
    class_name: str
    person_id: int | None = None
    candidates: int = 0


async def offer(uow: UnitOfWork, school_class: SchoolClass, from_id: int,
                how: membership.Pointing) -> Handover:
    """#移交 李老师: the person asked to take the class is picked as for #任课 (an @-mention,
    a quoted message's author, a name registered in the class; never a display name alone,
    which anyone can take on, since whoever accepts becomes head teacher)."""
    person, refused = await membership.pick(uow, school_class, how, ClassMembership.active,
                                            create=True)
    if person is None:
        status = {membership.AssignStatus.AMBIGUOUS: HandoverStatus.AMBIGUOUS,
                  membership.AssignStatus.POINT: HandoverStatus.POINT}.get(
            refused.status if refused else membership.AssignStatus.NOT_FOUND,
            HandoverStatus.NOT_FOUND)
        return Handover(status, how.name, school_class.name,
                        candidates=refused.candidates if refused else 0)
    if person.id == from_id:
        return Handover(HandoverStatus.SELF, how.name, school_class.name)
    school_class.handover_to_id = person.id
    await uow.session.flush()
    return Handover(HandoverStatus.OFFERED, person.display_name, school_class.name, person.id)


@dataclass(frozen=True)
class Accepted:
    class_name: str
    class_id: int
    previous: list[Person]


async def accept(uow: UnitOfWork, person_id: int) -> list[Accepted]:
    """#接受: every class offered to this person becomes theirs; the previous head teachers
    become subject teachers of it."""
    offered = (await uow.session.scalars(select(SchoolClass).where(
        SchoolClass.handover_to_id == person_id).order_by(SchoolClass.id))).all()
    done = []
    for school_class in offered:
        previous = await replace_head_teacher(uow, school_class.id, person_id)
        school_class.handover_to_id = None
        done.append(Accepted(school_class.name, school_class.id, previous))
    await uow.session.flush()
    return done


async def replace_head_teacher(uow: UnitOfWork, class_id: int, person_id: int) -> list[Person]:
    """`person_id` becomes the class's one head teacher; those before stay as teachers.
    Returns them (what `classbot class add --replace` and #接受 report)."""
    previous = [p for p in await membership.head_teachers(uow, class_id) if p.id != person_id]
    for person in previous:
        await _step_down(uow, class_id, person.id)
        await membership.ensure_role(uow, class_id, person.id, Role.TEACHER)
    await membership.ensure_role(uow, class_id, person_id, Role.HEAD_TEACHER)
    await uow.session.flush()
    return previous


async def _step_down(uow: UnitOfWork, class_id: int, person_id: int) -> None:
    for row in (await uow.session.scalars(select(ClassMembership).where(
            ClassMembership.class_id == class_id, ClassMembership.person_id == person_id,
            ClassMembership.role == Role.HEAD_TEACHER))).all():
        row.active = False
