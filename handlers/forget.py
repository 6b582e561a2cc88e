"""Deleting data on request from the chat: a parent's #注销 (their own), the head teacher's
#删除家庭 李明 (a family that left). Both ask first and act only on 确认 (declared questions);
services/forget.py does the deleting and writes the audit line."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.events import ChatKind
from core.permissions import FAMILIES
from kit.context import MemberContext, Messenger, PersonContext
from kit.conversation import Answer, Choice, Question, ask_here
from kit.router import Args, Command, NameArgs, Router
from models import ScheduledJob
from services import forget, jobs, keys
from services.outbox import Draft, Kind

HEAD_TEACHER_ONLY = frozenset({"head_teacher"})
SWEEP_JOB = "forget_sweep"
SWEEP_AFTER = timedelta(minutes=10)
_CHOICES = (Choice("yes", ("确认", "确定", "confirm")), Choice("no", ("取消", "不", "cancel")))


async def forget_me(ctx: MemberContext, _args: Args) -> None:
    await ask_here(ctx, FORGET_ME, "forget/ask_self", class_id=ctx.school_class.id)


async def forget_me_answered(ctx: PersonContext, answer: Answer) -> None:
    if answer.value != "yes":
        await ctx.reply("forget/kept")
        return
    person_id = ctx.person.id
    counts = await forget.forget_person(ctx.uow, person_id, by="self",
                                        class_id=ctx.school_class.id if ctx.school_class
                                        else None)
    # The farewell must not carry the name (a private chat's title is the person's name),
    # and once sent, a due job removes it: the last trace of that chat.
    chat = ctx.event.chat
    if chat.kind is ChatKind.PRIVATE:
        chat = replace(chat, title=forget.GONE)
    e = ctx.event
    await ctx.send(Draft(chat=chat, kind=Kind.REPLY, text=ctx.render("forget/done_self",
                                                                     counts=counts),
                         dedupe_key=keys.reply(e.channel, e.chat.chat_id, e.message_id, 1)))
    if chat.kind is ChatKind.PRIVATE:
        await jobs.schedule(ctx.uow, kind=SWEEP_JOB, key=keys.forget_sweep(ctx.cause),
                            due_at=ctx.uow.now + SWEEP_AFTER,
                            payload={"channel": chat.channel, "chat_id": chat.chat_id})


async def sweep(m: Messenger, job: ScheduledJob) -> None:
    """Due job: the farewell sent, its row (and the chat id it names) goes; not yet: later."""
    channel, chat_id = job.payload.get("channel", ""), job.payload.get("chat_id", "")
    if not await forget.sweep_chat(m.uow, channel, chat_id):
        await jobs.schedule(m.uow, kind=SWEEP_JOB, key=keys.forget_sweep_again(job.dedupe_key),
                            due_at=m.uow.now + SWEEP_AFTER, payload=dict(job.payload))
    await forget.clear_payload(m.uow, job.id)


async def delete_family(ctx: MemberContext, args: NameArgs) -> None:
    await ask_here(ctx, DELETE_FAMILY, "forget/ask_family", class_id=ctx.school_class.id,
                   payload={"student": args.name}, name=args.name)


async def delete_family_answered(ctx: MemberContext, answer: Answer) -> None:
    if answer.value != "yes":
        await ctx.reply("forget/kept")
        return
    result = await forget.delete_family(ctx.uow, ctx.school_class, answer.payload["student"],
                                        by="head_teacher")
    await ctx.reply("forget/done_family", result=result, private=True)


FORGET_ME = Question("forget_me", forget_me_answered, lambda _c: 10, choices=_CHOICES)
DELETE_FAMILY = Question("delete_family", delete_family_answered, lambda _c: 10,
                         choices=_CHOICES, needs_class=True)

router = Router(
    commands=(
        Command("forget_me", ("注销",), ("unregister",), forget_me, Args, roles=FAMILIES,
                bare=False),
        Command("delete_family", ("删除家庭",), ("deletefamily",), delete_family, NameArgs,
                roles=HEAD_TEACHER_ONLY, bare=False),
    ),
    questions=(FORGET_ME, DELETE_FAMILY),
    jobs={SWEEP_JOB: sweep},
)
