"""#私信 / #急: a parent and a teacher of the same class write to each other through the bot.

Messages to a teacher outside their office hours wait in the outbox (not_before) and the parent
is told when they will arrive; #急 goes at once, even in quiet hours.
"""

from __future__ import annotations

from core.permissions import FAMILIES, STAFF
from handlers.mailbox_staff import checked_body
from kit.context import PersonContext
from kit.router import Args, Router, UsageError, private_command
from models import Person, SchoolClass
from services import keys, membership, relay
from services.reach import tell_person


class DmArgs(Args):
    name: str = ""
    text: str

    @classmethod
    def from_text(cls, rest: str) -> DmArgs:
        name, _, text = rest.strip().partition(" ")
        if not text.strip():
            raise UsageError("a name and a message are needed")
        return cls(name=name, text=checked_body(text.strip()))


class UrgentArgs(DmArgs):
    """#急 内容 (to the head teacher) or #急 张老师 内容."""

    @classmethod
    def from_text(cls, rest: str) -> DmArgs:
        if not rest.strip():
            raise UsageError("a message is needed")
        name, _, text = rest.strip().partition(" ")
        return cls(name=name, text=checked_body(text.strip() or name))


async def _target(ctx: PersonContext, name: str) -> tuple[SchoolClass, Person, bool] | None:
    staff_only = bool(ctx.roles & FAMILIES) and not ctx.roles - FAMILIES
    classes = ([ctx.school_class] if ctx.school_class
               else await membership.classes_of_person(ctx.uow, ctx.person.id))
    for school_class in classes:
        found = await relay.find_member(ctx.uow, school_class, name, staff_only=staff_only)
        if found and found[0].id != ctx.person.id:
            return school_class, found[0], found[1]
    return None


async def send(ctx: PersonContext, name: str, text: str, *, urgent: bool) -> None:
    target = await _target(ctx, name)
    if target is None:
        names: list[str] = []
        for school_class in await membership.classes_of_person(ctx.uow, ctx.person.id):
            names += await relay.staff_names(ctx.uow, school_class)
        await ctx.reply("relay/unknown", name=name, names=names, urgent=urgent)
        return
    school_class, person, is_staff = target
    held = None if urgent or not is_staff else relay.delivery_time(ctx.uow, school_class,
                                                                   person.display_name)
    message = ctx.render("relay/message", sender=ctx.person.display_name,
                         class_name=school_class.name, text=text, urgent=urgent)
    key = keys.direct_message(ctx.event.channel, ctx.event.message_id)
    delivered = await tell_person(ctx, person.id, message, key=key, class_id=school_class.id,
                                  urgent=urgent, not_before=held)
    hours = ctx.uow.config.mailbox.hours_of(person.display_name)
    await ctx.reply("relay/sent", name=person.display_name, held=held, urgent=urgent,
                    delivered=delivered, office_start=hours.start.strftime("%H:%M"),
                    office_end=hours.end.strftime("%H:%M"), school_days=hours.school_days_only,
                    tz=school_class.timezone)


async def dm(ctx: PersonContext, args: DmArgs) -> None:
    await send(ctx, args.name, args.text, urgent=False)


async def dm_urgent(ctx: PersonContext, args: DmArgs) -> None:
    """Without a known name the whole text goes to the head teacher."""
    if await _target(ctx, args.name) is None and ctx.school_class is not None:
        heads = await membership.head_teachers(ctx.uow, ctx.school_class.id)
        if heads and args.text != args.name:
            await send(ctx, heads[0].display_name, f"{args.name} {args.text}", urgent=True)
            return
        if heads:
            await send(ctx, heads[0].display_name, args.text, urgent=True)
            return
    await send(ctx, args.name, args.text, urgent=True)


router = Router(
    commands=(
        private_command("dm", ("私信",), ("dm",), dm, DmArgs, roles=FAMILIES | STAFF),
        private_command("dm_urgent", ("急",), ("urgentdm",), dm_urgent, UrgentArgs,
                        roles=FAMILIES | STAFF),
    ),
)
