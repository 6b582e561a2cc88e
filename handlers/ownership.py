"""Who owns a class: #移交 hands it to another teacher who must #接受; #解绑 releases a group
(its queued messages cancelled, the class's data kept). Who owns a bound group (#绑定 there)
is answered in handlers/membership.py."""

from __future__ import annotations

from core.permissions import EVERYONE
from handlers.membership import pointing
from kit.context import Context, MemberContext
from kit.router import Args, Command, NameArgs, Router, Scope
from services import class_groups, keys, ownership, reach
from services.ownership import HandoverStatus

HEAD_TEACHER_ONLY = frozenset({"head_teacher"})


async def hand_over(ctx: MemberContext, args: NameArgs) -> None:
    result = await ownership.offer(ctx.uow, ctx.school_class, ctx.person.id,
                                   pointing(ctx, args.name))
    await ctx.reply("ownership/offered", result=result)
    if result.status is HandoverStatus.OFFERED and result.person_id is not None:
        await reach.tell_person(
            ctx, result.person_id,
            ctx.render("ownership/offer", result=result, by=ctx.person.display_name),
            key=keys.class_news(ctx.school_class.id, "handover", ctx.cause),
            class_id=ctx.school_class.id)


async def accept(ctx: Context, _args: Args) -> None:
    accepted = await ownership.accept(ctx.uow, ctx.person.id) if ctx.person else []
    await ctx.reply("ownership/accepted", accepted=accepted)
    for done in accepted:
        for previous in done.previous:
            await reach.tell_person(
                ctx, previous.id,
                ctx.render("ownership/handed_over", class_name=done.class_name,
                           to=ctx.person.display_name if ctx.person else ""),
                key=keys.class_news(done.class_id, "accepted", ctx.cause),
                class_id=done.class_id)


async def release(ctx: MemberContext, _args: Args) -> None:
    released = await class_groups.release(ctx.uow, ctx.event.chat)
    await ctx.reply("ownership/released", released=released, class_name=ctx.school_class.name)


router = Router(commands=(
    Command("handover", ("移交",), ("handover",), hand_over, NameArgs, roles=HEAD_TEACHER_ONLY,
            bare=False),
    Command("accept", ("接受",), ("accept",), accept, Args, roles=EVERYONE, needs_class=False,
            bare=False),
    Command("unbind", ("解绑",), ("unbind",), release, Args, roles=HEAD_TEACHER_ONLY,
            scope=Scope.GROUP, bare=False),
))
