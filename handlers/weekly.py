"""Weekly class updates: teachers add items with #动态; the class's slot compiles and posts."""

from __future__ import annotations

import logging

from pydantic import Field

from core.permissions import STAFF
from handlers import privacy
from kit.context import MemberContext, Messenger
from kit.router import Args, Command, Router, UsageError
from models import ScheduledJob
from services import keys, roster, weekly
from services.outbox import Kind
from services.reach import post_to_groups
from services.weekly import WEEKLY_JOB

log = logging.getLogger(__name__)


class ItemArgs(Args):
    text: str = Field(min_length=1, max_length=500)
    confirmed: bool = False  # the teacher confirmed an item the privacy guard held

    @classmethod
    def from_text(cls, rest: str) -> ItemArgs:
        if not rest.strip():
            raise UsageError("empty item")
        return cls(text=rest.strip())


async def add_item(ctx: MemberContext, args: ItemArgs) -> None:
    if not args.confirmed and await privacy.hold_update_item(ctx, args.text):
        return  # stored only once the teacher confirms (handlers/privacy.py)
    waiting = await weekly.add_item(ctx.uow, ctx.school_class.id, ctx.person.id, args.text)
    slot = await weekly.ensure_scheduled(ctx.uow, ctx.school_class)
    await ctx.reply("weekly/item_added", waiting=waiting, slot=slot, tz=ctx.tz)


async def preview(ctx: MemberContext, _args: Args) -> None:
    digest = await weekly.compile_digest(ctx.uow, ctx.school_class)
    slot = await weekly.ensure_scheduled(ctx.uow, ctx.school_class)
    await ctx.reply("weekly/preview", digest=digest, slot=slot, tz=ctx.tz, private=True)


async def post(m: Messenger, job: ScheduledJob) -> None:
    """Post the week's update once; schedule next week's slot whatever happens, so a missed or
    empty week never stops the series. An update more than a week late is dropped (logged)."""
    uow = m.uow
    school_class = await roster.class_of_id(uow, job.class_id or 0)
    if school_class is None:
        return
    await weekly.ensure_scheduled(uow, school_class)
    tz = school_class.timezone
    if weekly.week_of(uow.now, tz) != weekly.week_of(job.due_at, tz):
        log.info("class %s: weekly update for the week of %s dropped, that week is over",
                 school_class.id, weekly.week_of(job.due_at, tz))
        return
    digest = await weekly.compile_digest(uow, school_class)
    if digest.empty and uow.config.weekly_update.empty_week == "skip":
        log.info("class %s: empty week, no update posted", school_class.id)
        return
    await post_to_groups(m, class_id=school_class.id, kind=Kind.BROADCAST,
                         key=keys.weekly_update(school_class.id, digest.week_start),
                         text=m.render("weekly/update", digest=digest, tz=tz))
    await weekly.mark_posted(uow, digest)


router = Router(
    commands=(
        Command("update", ("动态",), ("update",), add_item, ItemArgs, roles=STAFF),
        Command("weekly_preview", ("本周动态",), ("weekly",), preview, roles=STAFF),
    ),
    jobs={WEEKLY_JOB: post},
)
