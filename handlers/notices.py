"""Notices: publish, acknowledge without flooding the group, see who has not read, nudge."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import FAMILIES, STAFF
from handlers import privacy
from kit.context import MemberContext, Messenger
from kit.router import Args, Command, NumberArgs, Phrase, Router, UsageError
from models import Notice, ScheduledJob
from services import cards, class_groups, jobs, keys, notices, outbox, roster
from services.notices import AckStatus
from services.outbox import Draft, Kind
from services.reach import post_to_groups, private_chat_of, tell_guardians

NUDGE_JOB = "notice_nudge"
ACK_WORDS = frozenset({
    "收到", "收到了", "已收到", "已读", "已阅", "阅", "好的", "好", "知道了", "明白", "明白了",
    "ok", "okay", "👌", "👍", "🙏", "嗯嗯", "嗯", "收", "received", "got it",
})
_TRIM = re.compile(r"[\s!！。.,，~～、…😊🙏🌹❤️]+$")


def is_ack(text: str) -> bool:
    """收到 and its everyday variants, alone or with a short thanks ("收到，谢谢老师")."""
    cleaned = _TRIM.sub("", text.strip()).lower()
    if cleaned in ACK_WORDS:
        return True
    return cleaned.startswith(("收到", "已收到")) and len(cleaned) <= 12


class NoticeArgs(Args):
    title: str = Field(min_length=1, max_length=60)
    body: str = Field(default="", max_length=3000)
    confirmed: bool = False  # the teacher confirmed a notice the privacy guard held

    @classmethod
    def from_text(cls, rest: str) -> NoticeArgs:
        rest = rest.strip()
        if not rest:
            raise UsageError("empty notice")
        first, _, body = rest.partition("\n")
        if not body and len(first) > 30 and " " in first:
            first, _, body = first.partition(" ")  # "#通知 标题 正文" on one line
        return cls(title=first.strip(), body=body.strip())


def _nudge_delay(m: Messenger, urgent: bool, round_no: int) -> timedelta:
    settings = m.uow.config.notices
    if urgent:
        return timedelta(minutes=settings.urgent_nudge_after_minutes)
    if round_no == 1:
        return timedelta(minutes=settings.nudge_after_minutes)
    return timedelta(minutes=settings.second_round_after_minutes)


async def _publish(ctx: MemberContext, args: NoticeArgs, urgent: bool) -> None:
    if not args.confirmed and await privacy.hold_notice(ctx, title=args.title, body=args.body,
                                                        urgent=urgent):
        return
    school_class, uow = ctx.school_class, ctx.uow
    held_until = None if urgent else await outbox.release_after_quiet_hours(uow, school_class.id)
    notice = await notices.create(uow, class_id=school_class.id, author_id=ctx.person.id,
                                  title=args.title, body=args.body, urgent=urgent,
                                  publish_at=held_until or uow.now)
    text = ctx.render("notices/card", notice=notice, author=ctx.person.display_name)
    groups = await post_to_groups(
        ctx, class_id=school_class.id, key=keys.notice_post(notice.id), text=text,
        kind=Kind.NOTICE, urgent=urgent, ref=("notice", notice.id),
        buttons=(Button(ctx.render("notices/ack_button"), f"#收到 {notice.number}"),))
    await jobs.schedule(uow, kind=NUDGE_JOB, key=keys.notice_nudge(notice.id, 1),
                        due_at=notice.publish_at + _nudge_delay(ctx, urgent, 1),
                        ref_id=notice.id, class_id=school_class.id, payload={"round": 1})
    if held_until is not None:
        await ctx.reply("notices/held", notice=notice, tz=ctx.tz)
    elif ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("notices/posted", notice=notice, groups=[
            b.title for b in await class_groups.of_class(uow, school_class.id)])


async def publish(ctx: MemberContext, args: NoticeArgs) -> None:
    await _publish(ctx, args, urgent=False)


async def publish_urgent(ctx: MemberContext, args: NoticeArgs) -> None:
    await _publish(ctx, args, urgent=True)


async def _target_notice(ctx: MemberContext, number: int | None) -> Notice | None:
    if number is not None:
        return await notices.by_number(ctx.uow, ctx.school_class.id, number)
    if ctx.event.reply_to:
        ref = await outbox.find_reference(ctx.uow, ctx.event.channel, ctx.event.chat.chat_id,
                                          ctx.event.reply_to)
        if ref and ref[0] == "notice":
            return await notices.get(ctx.uow, ref[1])
    if ctx.event.chat.kind is ChatKind.PRIVATE:
        return await notices.latest_unacked_for(ctx.uow, ctx.school_class.id, ctx.person.id)
    return await notices.latest(ctx.uow, ctx.school_class.id)


async def _ack(ctx: MemberContext, number: int | None, *, via: str, explicit: bool) -> None:
    """Silent in the group (no flood); a short confirmation only in a private chat."""
    private = ctx.event.chat.kind is ChatKind.PRIVATE
    notice = await _target_notice(ctx, number)
    if notice is None:
        if explicit or private:
            await ctx.reply("notices/not_found", number=number)
        return
    status = await notices.acknowledge(ctx.uow, notice, ctx.person.id, via)
    if status is AckStatus.NEW:
        await _refresh_cards(ctx, notice)
    # A button press is answered with a toast (Context.reply turns it into one): no flood.
    if private or ctx.event.action or (explicit and status is AckStatus.NOT_GUARDIAN):
        await ctx.reply("notices/acked", notice=notice, status=status)


async def _refresh_cards(m: Messenger, notice: Notice) -> None:
    """The posted card's tally line follows the acknowledgements (edited where possible)."""
    status = await notices.read_status(m.uow, notice)
    text = m.render("notices/card", notice=notice, tally=status,
                    author=await cards.person_name(m.uow, notice.author_id))
    await cards.refresh(m.uow, keys.posts_of(keys.notice_post(notice.id)), text)


async def ack_phrase(ctx: MemberContext, _text: str) -> None:
    await _ack(ctx, None, via="reply" if ctx.event.reply_to else "word", explicit=False)


async def ack_command(ctx: MemberContext, args: NumberArgs) -> None:
    await _ack(ctx, args.number, via="button" if ctx.event.action else "command", explicit=True)


async def unread(ctx: MemberContext, args: NumberArgs) -> None:
    notice = await _target_notice(ctx, args.number)
    if notice is None:
        await ctx.reply("notices/not_found", number=args.number, private=True)
        return
    status = await notices.read_status(ctx.uow, notice)
    await ctx.reply("notices/unread", status=status, tz=ctx.tz, private=True)


async def nudge(m: Messenger, job: ScheduledJob) -> None:
    """Round 1: remind each family that has not read, privately where the platform allows,
    else in one group message that @-mentions them. Round 2, counted from when round 1 really
    went out (quiet hours may hold it): tell the author who is still missing."""
    uow = m.uow
    notice = await notices.get(uow, job.ref_id or 0)
    if notice is None:
        return
    status = await notices.read_status(uow, notice)
    if not status.missing:
        return
    school_class = await roster.class_of_id(uow, notice.class_id)
    tz = m.tz_of(school_class)
    if job.payload.get("round", 1) == 2:
        chat = await private_chat_of(uow, notice.author_id)
        if chat is not None:
            await m.send(Draft(chat=chat, kind=Kind.NUDGE, urgent=notice.urgent,
                               class_id=notice.class_id, dedupe_key=keys.notice_nudge(notice.id, 2),
                               text=m.render("notices/still_missing", status=status, tz=tz)))
        return
    sent_at = uow.now
    if not notice.urgent:
        sent_at = await outbox.release_after_quiet_hours(uow, notice.class_id) or uow.now
    await jobs.schedule(uow, kind=NUDGE_JOB, key=keys.notice_nudge(notice.id, 2),
                        due_at=sent_at + _nudge_delay(m, notice.urgent, 2),
                        ref_id=notice.id, class_id=notice.class_id, payload={"round": 2})
    class_name = school_class.name if school_class else ""
    guardians = [g for family in status.missing for g in family.guardians]
    await tell_guardians(
        m, class_id=notice.class_id, guardians=guardians, key=keys.notice_nudge(notice.id, 1),
        urgent=notice.urgent, group_text=m.render("notices/nudge_group", notice=notice),
        private_text=lambda g: m.render("notices/nudge_private", notice=notice, name=g.name,
                                        class_name=class_name, tz=tz))


router = Router(
    commands=(
        Command("notice", ("通知",), ("notice",), publish, NoticeArgs, roles=STAFF),
        Command("urgent", ("紧急通知",), ("urgent",), publish_urgent, NoticeArgs, roles=STAFF),
        Command("ack", ("收到",), ("ack",), ack_command, NumberArgs, roles=FAMILIES,
                bare=False),
        Command("unread", ("未读",), ("unread",), unread, NumberArgs, roles=STAFF),
    ),
    phrases=(Phrase("ack", is_ack, ack_phrase, roles=FAMILIES),),
    jobs={NUDGE_JOB: nudge},
)
