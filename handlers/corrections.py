"""#更正 3 新内容 and #撤回 3: a teacher fixes or takes back a notice already posted. Only its
author or the head teacher may (services/corrections.py says who, and what changes)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import STAFF
from kit.context import MemberContext
from kit.router import Args, Command, Router, UsageError
from models import Notice
from services import cards, corrections, jobs, keys, notices, outbox
from services.outbox import Kind
from services.reach import post_to_groups, tell_guardians


def _number(text: str) -> tuple[int, str]:
    head, _, rest = text.strip().lstrip("#＃").partition(" ")
    head, newline, after = head.partition("\n")
    if not head.isdigit():
        raise UsageError("the notice number comes first")
    return int(head), (after + newline + " " + rest if newline else rest).strip()


class CorrectArgs(Args):
    number: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=2000)

    @classmethod
    def from_text(cls, rest: str) -> CorrectArgs:
        number, text = _number(rest)
        return cls(number=number, text=text)


class WithdrawArgs(Args):
    number: int = Field(ge=1)

    @classmethod
    def from_text(cls, rest: str) -> WithdrawArgs:
        number, extra = _number(rest)
        if extra:
            raise UsageError("only the notice number")
        return cls(number=number)


async def _changeable(ctx: MemberContext, number: int) -> Notice | None:
    """The notice, if it stands and the sender may change it; else the sender is told why."""
    notice = await notices.by_number(ctx.uow, ctx.school_class.id, number, withdrawn=True)
    if notice is None:
        await ctx.reply("notices/not_found", number=number)
        return None
    if notice.withdrawn_at is not None:
        await ctx.reply("corrections/already_withdrawn", notice=notice)
        return None
    if not corrections.may_change(ctx.roles, ctx.person.id, notice.author_id):
        await ctx.reply("corrections/not_author", kind="notice", number=notice.number,
                        author=await cards.person_name(ctx.uow, notice.author_id))
        return None
    return notice


async def correct(ctx: MemberContext, args: CorrectArgs) -> None:
    notice = await _changeable(ctx, args.number)
    if notice is None:
        return
    uow = ctx.uow
    await corrections.correct(uow, notice, args.text)
    held_until = None if notice.urgent else await outbox.release_after_quiet_hours(
        uow, notice.class_id)
    groups = await post_to_groups(
        ctx, class_id=notice.class_id, key=keys.notice_correction(notice.id, notice.revision),
        kind=Kind.NOTICE, urgent=notice.urgent, ref=("notice", notice.id),
        text=ctx.render("corrections/card", notice=notice, author=ctx.person.display_name),
        buttons=(Button(ctx.render("notices/ack_button"), f"#收到 {notice.number}"),))
    settings = uow.config.notices
    delay = settings.urgent_nudge_after_minutes if notice.urgent \
        else settings.nudge_after_minutes
    await jobs.schedule(uow, kind=corrections.NUDGE_JOB,
                        key=keys.notice_nudge(notice.id, 1, notice.revision),
                        due_at=(held_until or uow.now) + timedelta(minutes=delay),
                        ref_id=notice.id, class_id=notice.class_id, payload={"round": 1})
    if ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("corrections/corrected", notice=notice, groups=groups)


async def withdraw(ctx: MemberContext, args: WithdrawArgs) -> None:
    notice = await _changeable(ctx, args.number)
    if notice is None:
        return
    done = await corrections.withdraw(ctx.uow, notice)
    if done.was_posted:
        await post_to_groups(ctx, class_id=notice.class_id, key=keys.notice_withdrawn(notice.id),
                             kind=Kind.NOTICE, urgent=notice.urgent,
                             text=ctx.render("corrections/withdrawn_group", notice=notice))
    await tell_guardians(
        ctx, class_id=notice.class_id, guardians=done.confirmed, group_text=None,
        key=keys.notice_withdrawn_told(notice.id), kind=Kind.NUDGE, urgent=notice.urgent,
        private_text=lambda g: ctx.render("corrections/withdrawn_private", notice=notice,
                                          name=g.name, class_name=ctx.school_class.name))
    await ctx.reply("corrections/withdrawn", private=True, notice=notice,
                    told=len(done.confirmed), was_posted=done.was_posted)


router = Router(commands=(
    Command("correct", ("更正", "修改"), ("correct",), correct, CorrectArgs, roles=STAFF,
            bare=False),
    Command("withdraw", ("撤回",), ("withdraw",), withdraw, WithdrawArgs, roles=STAFF,
            bare=False),
))
