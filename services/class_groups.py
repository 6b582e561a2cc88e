"""Group bindings: which platform group belongs to which class (#绑定), and how a binding
follows the group's own changes (a new id after a Telegram supergroup migration, the bot
removed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from core.events import ChatRef
from models import GroupBinding, SchoolClass
from services import directory, membership, outbox, roster, sets
from services.uow import UnitOfWork


async def of_chat(uow: UnitOfWork, chat: ChatRef) -> GroupBinding | None:
    return (await uow.session.scalars(select(GroupBinding).where(
        GroupBinding.channel == chat.channel, GroupBinding.chat_id == chat.chat_id))).first()


async def class_of_chat(uow: UnitOfWork, chat: ChatRef) -> SchoolClass | None:
    async def load() -> int | None:
        binding = await of_chat(uow, chat)
        return binding.class_id if binding else None

    class_id = await directory.cached(uow, ("class_of_chat", chat.channel, chat.chat_id), load)
    return await roster.class_of_id(uow, class_id) if class_id is not None else None


async def of_class(uow: UnitOfWork, class_id: int) -> list[GroupBinding]:
    return list((await uow.session.scalars(select(GroupBinding).where(
        GroupBinding.class_id == class_id).order_by(GroupBinding.id))).all())


async def of_classes(uow: UnitOfWork, class_ids: Sequence[int]) -> dict[int, list[GroupBinding]]:
    """class id → `of_class`, for many classes in one statement."""
    found: dict[int, list[GroupBinding]] = {class_id: [] for class_id in class_ids}
    for binding in (await uow.session.scalars(select(GroupBinding).where(
            sets.among(uow.session, GroupBinding.class_id, found))
            .order_by(GroupBinding.id))).all():
        found[binding.class_id].append(binding)
    return found


# --- binding a group -----------------------------------------------------------------------

class BindStatus(StrEnum):
    BOUND = "bound"
    ALREADY = "already"
    OTHER_CLASS = "other_class"
    NO_SUCH_CLASS = "no_such_class"
    NOT_HEAD_TEACHER = "not_head_teacher"
    OWNED = "owned"  # someone who is not its head teacher tried #绑定 in a bound group


@dataclass(frozen=True)
class BindResult:
    status: BindStatus
    class_name: str
    known_classes: list[str] = field(default_factory=list)
    bound_class: str = ""
    head_teacher: str = ""  # of the class the group is bound to (who owns it)


async def owner_of(uow: UnitOfWork, chat: ChatRef) -> BindResult | None:
    """Who owns a bound group (#绑定 there by anyone: 本群已绑定到「…」（班主任 …）)."""
    current = await class_of_chat(uow, chat)
    if current is None:
        return None
    return BindResult(BindStatus.OWNED, current.name, bound_class=current.name,
                      head_teacher=await _head_teacher_names(uow, current.id))


async def _head_teacher_names(uow: UnitOfWork, class_id: int) -> str:
    return "、".join(p.display_name for p in await membership.head_teachers(uow, class_id))


async def bind(uow: UnitOfWork, class_name: str, chat: ChatRef,
                     person_id: int | None) -> BindResult:
    school_class = await roster.class_named(uow, class_name)
    if school_class is None:
        return BindResult(BindStatus.NO_SUCH_CLASS, class_name, await roster.class_names(uow))
    if "head_teacher" not in await membership.roles_in(uow, person_id, school_class.id):
        return BindResult(BindStatus.NOT_HEAD_TEACHER, class_name)
    current = await class_of_chat(uow, chat)
    if current is not None:
        status = BindStatus.ALREADY if current.id == school_class.id else BindStatus.OTHER_CLASS
        return BindResult(status, class_name, bound_class=current.name,
                          head_teacher=await _head_teacher_names(uow, current.id))
    uow.session.add(GroupBinding(class_id=school_class.id, channel=chat.channel,
                                 chat_id=chat.chat_id, title=chat.title, bound_at=uow.now))
    await uow.session.flush()
    return BindResult(BindStatus.BOUND, class_name)


# --- a group's own changes (platform events) -----------------------------------------------

async def move(uow: UnitOfWork, chat: ChatRef, new_chat_id: str) -> bool:
    """The group got a new id (Telegram group → supergroup): its binding and queued messages
    follow, so nothing waits forever on a chat that no longer exists."""
    binding = await of_chat(uow, chat)
    await outbox.move_pending(uow, chat.channel, chat.chat_id, new_chat_id)
    if binding is None:
        return False
    if await of_chat(uow, ChatRef(chat.channel, new_chat_id, chat.kind)) is not None:
        await uow.session.delete(binding)  # the new id was bound meanwhile: keep that one
    else:
        binding.chat_id = new_chat_id
    await uow.session.flush()
    return True


async def release(uow: UnitOfWork, chat: ChatRef) -> bool:
    """#解绑 by the head teacher: the group is no longer the class's, and what was queued for
    it is cancelled (the class's notices, meetings and families stay)."""
    if not await unbind(uow, chat):
        return False
    await outbox.cancel_pending(uow, chat.channel, chat.chat_id)
    return True


async def unbind(uow: UnitOfWork, chat: ChatRef) -> bool:
    """The bot left the group (removed, or the group deleted): stop posting there."""
    binding = await of_chat(uow, chat)
    if binding is None:
        return False
    await uow.session.delete(binding)
    await uow.session.flush()
    return True
