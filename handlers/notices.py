"""Notices: publish, acknowledge without flooding the group, see who has not read, nudge."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import FAMILIES, STAFF
from core.reading import read
from handlers import answers, privacy
from kit.context import MemberContext, Messenger
from kit.router import Args, Command, NumberArgs, Router, UsageError
from models import Notice, ScheduledJob
from services import (
    answering,
    class_groups,
    guardians,
    held,
    jobs,
    keys,
    notices,
    outbox,
    roster,
)
from services.outbox import Draft, Kind
from services.reach import post_to_groups, private_chat_of, tell_guardians

NUDGE_JOB = "notice_nudge"


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
    """For staff reports: the numbered notice, else the quoted card, else the newest one."""
    if number is not None:
        return await notices.by_number(ctx.uow, ctx.school_class.id, number)
    if ctx.event.reply_to:
        ref = await outbox.find_reference(ctx.uow, ctx.event.channel, ctx.event.chat.chat_id,
                                          ctx.event.reply_to)
        if ref and ref[0] == "notice":
            return await notices.get(ctx.uow, ref[1])
    return await notices.latest(ctx.uow, ctx.school_class.id)


async def ack_command(ctx: MemberContext, args: NumberArgs) -> None:
    """#收到 [N] and the card's button: the same rule as a plain 收到 (handlers/answers.py)."""
    await answers.answer(ctx, read("收到"), via="button" if ctx.event.action else "command",
                         explicit=True, number=args.number)


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
    went out (quiet hours may hold it): tell the author who is still missing. The group
    message says nothing of why (who has not read is nobody else's business): the reminder
    itself is held for them and sent when they next write privately.

    Notices posted in a burst (a few minutes apart, notices.burst_minutes) are reminded
    together: one message per family listing what it still owes of the burst, sent when the
    burst's last notice is due; the earlier notices' round 1 only plans their round 2."""
    uow = m.uow
    notice = await notices.get(uow, job.ref_id or 0)
    if notice is None or notice.withdrawn_at is not None:
        return
    first, second = (keys.notice_nudge(notice.id, n, notice.revision) for n in (1, 2))
    status = await notices.read_status(uow, notice)
    school_class = await roster.class_of_id(uow, notice.class_id)
    tz = m.tz_of(school_class)
    if job.payload.get("round", 1) == 2:
        if not status.missing:
            return
        chat = await private_chat_of(uow, notice.author_id)
        if chat is not None:
            await m.send(Draft(chat=chat, kind=Kind.NUDGE, urgent=notice.urgent,
                               class_id=notice.class_id, dedupe_key=second,
                               text=m.render("notices/still_missing", status=status, tz=tz,
                                             class_name=school_class.name if school_class
                                             else "")))
        return
    burst = await answering.burst_of(uow, notice)
    if burst[-1].id != notice.id:
        burst = []  # a later notice of the burst reminds for all of it
    owed: dict[int, list[Notice]] = {}
    for item in burst:
        for family in (await notices.read_status(uow, item)).missing:
            for guardian in family.guardians:
                owed.setdefault(guardian.person_id, [])
                if item not in owed[guardian.person_id]:
                    owed[guardian.person_id].append(item)
    if status.missing:
        sent_at = uow.now
        if not notice.urgent:
            sent_at = await outbox.release_after_quiet_hours(uow, notice.class_id) or uow.now
        await jobs.schedule(uow, kind=NUDGE_JOB, key=second,
                            due_at=sent_at + _nudge_delay(m, notice.urgent, 2),
                            ref_id=notice.id, class_id=notice.class_id, payload={"round": 2})
    if not owed:
        return
    class_name = school_class.name if school_class else ""
    families = await guardians.families(uow, notice.class_id)
    reminded = [g for family in families for g in family.guardians if g.person_id in owed]
    if len(burst) == 1:
        await tell_guardians(
            m, class_id=notice.class_id, guardians=reminded, key=first,
            urgent=notice.urgent, ref=("notice", notice.id),
            group_text=m.render("common/ask_to_write"),
            hold=True, hold_until=uow.now + held.REMINDER_HOLD,
            private_text=lambda g: m.render("notices/nudge_private", notice=notice, name=g.name,
                                            class_name=class_name, tz=tz))
        return
    await tell_guardians(
        m, class_id=notice.class_id, guardians=reminded,
        key=keys.notice_burst_nudge(burst[0].id), urgent=any(n.urgent for n in burst),
        ref=(answering.BURST_REF, burst[0].id), group_text=m.render("common/ask_to_write"),
        hold=True, hold_until=uow.now + held.REMINDER_HOLD,
        private_text=lambda g: m.render("notices/nudge_burst_private", notices=owed[g.person_id],
                                        name=g.name, class_name=class_name, tz=tz))


router = Router(
    commands=(
        Command("notice", ("通知",), ("notice",), publish, NoticeArgs, roles=STAFF),
        Command("urgent", ("紧急通知",), ("urgent",), publish_urgent, NoticeArgs, roles=STAFF),
        Command("ack", ("收到",), ("ack",), ack_command, NumberArgs, roles=FAMILIES,
                bare=False),
        Command("unread", ("未读",), ("unread",), unread, NumberArgs, roles=STAFF),
    ),
    jobs={NUDGE_JOB: nudge},
)
