"""Weekly class updates: teachers add items with #动态; the class's slot compiles and posts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from pydantic import Field

from core.permissions import STAFF
from handlers import privacy
from kit.context import MemberContext, Messenger
from kit.jobs import BatchJob
from kit.router import Args, Command, Router, UsageError
from models import ScheduledJob, SchoolClass
from services import class_groups, keys, roster, weekly
from services.outbox import Kind
from services.reach import group_posts, post_to_groups
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
    if _week_over(uow.now, job, school_class):
        return
    digest = await weekly.compile_digest(uow, school_class)
    if _skipped(m, digest):
        return
    await post_to_groups(m, class_id=school_class.id, kind=Kind.BROADCAST,
                         key=keys.weekly_update(school_class.id, digest.week_start),
                         text=_text(m, digest))
    await weekly.mark_posted(uow, digest)


async def post_many(m: Messenger, due: Sequence[ScheduledJob]) -> dict[int, str]:
    """`post` for every weekly job of one claim, in one transaction (issue 14: the Friday
    burst): the classes, their groups and their digests are read together, each class's update
    is rendered on its own (a class whose update cannot be made fails alone), and what they
    write goes in a few multi-row statements (services/weekly.write). Returns job id → error
    for the jobs that failed."""
    uow = m.uow
    classes = await roster.classes_of_ids(uow, [job.class_id or 0 for job in due])
    bindings = await class_groups.of_classes(uow, list(classes))
    todo = [(job, classes[job.class_id or 0]) for job in due if (job.class_id or 0) in classes]
    current = [c for job, c in todo if not _week_over(uow.now, job, c)]
    digests = await weekly.compile_digests(uow, current)
    posts: list[weekly.Post] = []
    failed: dict[int, str] = {}
    for job, school_class in todo:
        plan = weekly.Post(job.id, school_class)
        digest = digests.get(school_class.id)
        try:
            if digest is not None and not _skipped(m, digest):
                key = keys.weekly_update(school_class.id, digest.week_start)
                plan.drafts = group_posts(bindings[school_class.id], class_id=school_class.id,
                                          kind=Kind.BROADCAST, key=key, text=_text(m, digest))
                plan.digest = digest
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            failed[job.id] = repr(exc)
            continue
        posts.append(plan)
    return failed | await weekly.write(uow, posts)


def _week_over(now: datetime, job: ScheduledJob, school_class: SchoolClass) -> bool:
    tz = school_class.timezone
    if weekly.week_of(now, tz) == weekly.week_of(job.due_at, tz):
        return False
    log.info("class %s: weekly update for the week of %s dropped, that week is over",
             school_class.id, weekly.week_of(job.due_at, tz))
    return True


def _skipped(m: Messenger, digest: weekly.Digest) -> bool:
    if digest.empty and m.uow.config.weekly_update.empty_week == "skip":
        log.info("class %s: empty week, no update posted", digest.school_class.id)
        return True
    return False


def _text(m: Messenger, digest: weekly.Digest) -> str:
    return m.render("weekly/update", digest=digest, tz=digest.school_class.timezone)


router = Router(
    commands=(
        Command("update", ("动态",), ("update",), add_item, ItemArgs, roles=STAFF),
        Command("weekly_preview", ("本周动态",), ("weekly",), preview, roles=STAFF),
    ),
    jobs={WEEKLY_JOB: BatchJob(post, post_many)},
)
