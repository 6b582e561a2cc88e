"""Meetings (家长会 and the other 五会): create, RSVP in the group, reminders, check-in, minutes.

RSVPs behave like 收到: recorded silently in the group (no flood), confirmed only privately.
When reminders are due and which still go out is services/meeting_reminders.py; which meeting a
message means is services.meetings.find; this module parses, renders and sends.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import COMMITTEE, FAMILIES, STAFF
from core.reading import ItemKind, read
from core.reading import Kind as ReadKind
from core.timeparse import ParsedTime, TimeParseError, parse_when_async
from handlers import answers
from handlers.meeting_form import read_one_line
from kit.context import MemberContext, Messenger
from kit.router import Args, Command, NumberArgs, Phrase, Router, UsageError
from models import Meeting, ScheduledJob
from services import (
    cards,
    corrections,
    keys,
    meeting_reminders,
    meetings,
    outbox,
    roster,
)
from services.guardians import Guardian
from services.meeting_reminders import REMIND_JOB, RSVP_NUDGE_JOB
from services.meetings import KINDS, Answer, CheckinStatus, FamilyAnswer, Meant
from services.outbox import Kind
from services.reach import post_to_groups, tell_guardians

_DEADLINE = re.compile(r"^(?:报名)?截止(?:时间)?[\s:：]*(.+)$", re.S)
_CAPACITY = re.compile(r"^(?:限|限额|名额|限报)[\s:：]*(\d{1,4})\s*(?:人|位|名)?$")
_LEADING_NUMBER = re.compile(r"^#?(\d{1,4})(?:\s+|$)(.*)$", re.S)


# --- arguments -------------------------------------------------------------------------------

class MeetingArgs(Args):
    when: str = Field(default="", max_length=60)
    place: str = Field(default="", max_length=100)
    topic: str = Field(default="", max_length=200)
    deadline: str | None = Field(default=None, max_length=60)
    capacity: int | None = Field(default=None, ge=1, le=5000)
    line: str = Field(default="", max_length=100)  # written without `|`: handlers/meeting_form

    @classmethod
    def from_text(cls, rest: str) -> MeetingArgs:
        if rest.strip() and not re.search(r"[|｜\n]", rest.strip()):
            return cls(line=rest.strip())
        parts = [p.strip() for p in re.split(r"[|｜]", rest.replace("\n", "|"))]
        if not parts or not parts[0]:
            raise UsageError("no time")
        values: dict[str, object] = {"when": parts[0]}
        free: list[str] = []
        for part in parts[1:]:
            if deadline := _DEADLINE.match(part):
                values["deadline"] = deadline.group(1).strip()
            elif capacity := _CAPACITY.match(part):
                values["capacity"] = int(capacity.group(1))
            elif part:
                free.append(part)
        if len(free) > 2:
            raise UsageError("too many parts")
        values.update(zip(("place", "topic"), free, strict=False))
        return cls.model_validate(values)


class NumberAndText(Args):
    """`[N] text`: an optional meeting number, then free text (a new time, the minutes …)."""

    number: int | None = Field(default=None, ge=1)
    text: str = Field(min_length=1, max_length=5000)

    @classmethod
    def from_text(cls, rest: str) -> NumberAndText:
        rest = rest.strip()
        found = _LEADING_NUMBER.match(rest)
        if found:
            return cls(number=int(found.group(1)), text=found.group(2).strip())
        return cls(text=rest)


class RsvpArgs(Args):
    """`#报名 [N] 参加 2人 / 不参加 加班 / 待定`: the answer in any everyday form (core.reading)."""

    number: int | None = Field(default=None, ge=1)
    text: str = Field(min_length=1, max_length=500)

    @classmethod
    def from_text(cls, rest: str) -> RsvpArgs:
        rest = rest.strip()
        number = None
        if found := _LEADING_NUMBER.match(rest):
            number, rest = int(found.group(1)), found.group(2).strip()
        if read(rest).kind is not ReadKind.RSVP:
            raise UsageError("answer must be 参加 / 不参加 / 待定")
        return cls(number=number, text=rest)


def is_checkin(text: str) -> bool:
    """签到, 到了, 已到, 我到了，在门口 … (core.reading): a check-in at the meeting in progress."""
    return read(text).kind is ReadKind.CHECKIN


# --- creating ----------------------------------------------------------------------------------

def _kind_of(ctx: MemberContext) -> str:
    text = (ctx.event.action or ctx.event.text).strip().lstrip("#＃").lstrip()
    return next((kind for kind in KINDS if text.startswith(kind)), KINDS[0])


async def parse_time_or_explain(ctx: MemberContext, text: str, what: str,
                      command: str = "meeting") -> datetime | None:
    """A future point in time with an hour, or a usage line that echoes what was understood."""
    parsed: ParsedTime | None = None
    try:
        parsed = await parse_when_async(text, ctx.uow.now, ZoneInfo(ctx.tz))
    except TimeParseError:
        problem = "unreadable"
    else:
        problem = ("no_hour" if not parsed.has_time_of_day
                   else "past" if parsed.at <= ctx.uow.now else "")
    if problem:
        await ctx.reply("meetings/bad_time", what=what, text=text, problem=problem,
                        command=ctx.declared(command),
                        understood=parsed.at if parsed else None, tz=ctx.tz)
        return None
    assert parsed is not None
    return parsed.at


def rsvp_buttons(ctx: Messenger, meeting: Meeting) -> tuple[Button, ...]:
    return tuple(Button(ctx.render("meetings/button", answer=answer),
                        f"#报名 {meeting.number} {word}")
                 for answer, word in ((Answer.YES, "参加"), (Answer.NO, "不参加"),
                                      (Answer.MAYBE, "待定")))


async def create(ctx: MemberContext, args: MeetingArgs) -> None:
    uow, kind = ctx.uow, _kind_of(ctx)
    if args.line:
        if (fields := await read_one_line(ctx, args.line)) is None:
            return
        args = MeetingArgs.model_validate(fields)
    starts_at = await parse_time_or_explain(ctx, args.when, "start")
    if starts_at is None:
        return
    deadline = None
    if args.deadline is not None:
        deadline = await parse_time_or_explain(ctx, args.deadline, "deadline")
        if deadline is None:
            return
        if deadline > starts_at:
            await ctx.reply("meetings/deadline_after_start", deadline=deadline,
                            starts_at=starts_at, tz=ctx.tz)
            return
    meeting = await meetings.create(
        uow, class_id=ctx.school_class.id, author_id=ctx.person.id, kind=kind,
        topic=args.topic, place=args.place, starts_at=starts_at, deadline=deadline,
        capacity=args.capacity)
    groups = await post_to_groups(
        ctx, class_id=meeting.class_id, key=keys.meeting_card(meeting.id),
        text=ctx.render("meetings/card", meeting=meeting, tz=ctx.tz,
                        author=ctx.person.display_name),
        kind=Kind.NOTICE, ref=("meeting", meeting.id), buttons=rsvp_buttons(ctx, meeting))
    await meeting_reminders.plan(uow, meeting)
    if ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("meetings/created", meeting=meeting, groups=groups, tz=ctx.tz)


# --- finding the meeting a message is about ----------------------------------------------------

async def _target(ctx: MemberContext, number: int | None, meant: Meant) -> Meeting | None:
    return await meetings.find(ctx.uow, ctx.school_class.id, meant, number=number,
                               event=ctx.event)


async def _target_or_explain(ctx: MemberContext, number: int | None,
                             meant: Meant = Meant.LATEST) -> Meeting | None:
    meeting = await _target(ctx, number, meant)
    if meeting is None:
        await ctx.reply("meetings/not_found", number=number, meant=meant)
    return meeting


# --- RSVP --------------------------------------------------------------------------------------

async def rsvp_command(ctx: MemberContext, args: RsvpArgs) -> None:
    """#报名 and the card's buttons: the same rule as a plain 参加 (handlers/answers.py)."""
    await answers.answer(ctx, read(args.text), via="command", explicit=True, number=args.number,
                         only=ItemKind.MEETING)


async def _target_for_report(ctx: MemberContext, number: int | None,
                             meant: Meant = Meant.LATEST) -> Meeting | None:
    """Reports go privately, and so does "no such meeting" (the group needn't see it)."""
    meeting = await _target(ctx, number, meant)
    if meeting is None:
        await ctx.reply("meetings/not_found", number=number, meant=meant, private=True)
    return meeting


async def rsvps(ctx: MemberContext, args: NumberArgs) -> None:
    """Staff see names and reasons; the parent committee sees counts only."""
    meeting = await _target_for_report(ctx, args.number)
    if meeting is None:
        return
    tally = await meetings.tally(ctx.uow, meeting)
    full = bool(ctx.roles & STAFF)
    await ctx.reply("meetings/tally", tally=tally, full=full, tz=ctx.tz, private=True)


# --- reminders and nudges (due jobs) -----------------------------------------------------------

async def remind(m: Messenger, job: ScheduledJob) -> None:
    """Group reminder + a private one to families coming or undecided (when one is due:
    services/meeting_reminders.py)."""
    due = await meeting_reminders.reminder_to_send(m.uow, job)
    if due is None:
        return
    uow, meeting, offset = m.uow, due.meeting, due.offset
    school_class = await roster.class_of_id(uow, meeting.class_id)
    tz = m.tz_of(school_class)
    tally = await meetings.tally(uow, meeting)
    key = keys.meeting_reminder(meeting.id, meeting.version, offset)
    await post_to_groups(m, class_id=meeting.class_id, key=key, kind=Kind.BROADCAST,
                         text=m.render("meetings/reminder", meeting=meeting, tally=tally, tz=tz),
                         ref=("meeting", meeting.id))
    answers: dict[int, FamilyAnswer] = {}
    for answered in tally.yes + tally.maybe:  # a guardian of two children: their first answer
        answers.setdefault(answered.person_id, answered)
    await tell_guardians(
        m, class_id=meeting.class_id, guardians=[a.guardian for a in answers.values()], key=key,
        group_text=None,  # the group reminder above covers whoever can't be told privately
        private_text=lambda g: m.render("meetings/reminder_private", meeting=meeting,
                                        answer=answers[g.person_id], tz=tz))


async def rsvp_nudge(m: Messenger, job: ScheduledJob) -> None:
    """Before the deadline, families that have not answered are asked privately (or @-ed)."""
    meeting = await meeting_reminders.rsvp_nudge_to_send(m.uow, job)
    if meeting is None:
        return
    school_class = await roster.class_of_id(m.uow, meeting.class_id)
    tz = m.tz_of(school_class)
    tally = await meetings.tally(m.uow, meeting)
    guardians = [g for family in tally.missing for g in family.guardians]
    await tell_guardians(
        m, class_id=meeting.class_id, guardians=guardians,
        key=keys.meeting_rsvp_nudge(meeting.id, meeting.version), ref=("meeting", meeting.id),
        group_text=m.render("common/ask_to_write"),
        hold=True, hold_until=meeting.rsvp_deadline,
        private_text=lambda g: m.render("meetings/rsvp_nudge_private", meeting=meeting,
                                        name=g.name, tz=tz))


# --- changes -----------------------------------------------------------------------------------

async def _changeable(ctx: MemberContext, number: int | None) -> Meeting | None:
    meeting = await _target_or_explain(ctx, number)
    if meeting is not None and meeting.status == "cancelled":
        await ctx.reply("meetings/is_cancelled", meeting=meeting)
        return None
    if meeting is not None and not corrections.may_change(ctx.roles, ctx.person.id,
                                                          meeting.author_id):
        await ctx.reply("corrections/not_author", kind="meeting", number=meeting.number,
                        author=await cards.person_name(ctx.uow, meeting.author_id))
        return None
    return meeting


async def _announce_change(ctx: MemberContext, meeting: Meeting, template: str, key: str,
                           buttons: tuple[Button, ...] = (), **values: object) -> None:
    """In the group for everyone, and privately to each family that had answered."""
    groups = await post_to_groups(
        ctx, class_id=meeting.class_id, key=key, kind=Kind.NOTICE, ref=("meeting", meeting.id),
        buttons=buttons, text=ctx.render(template, meeting=meeting, tz=ctx.tz, private=False,
                                         **values))
    tally = await meetings.tally(ctx.uow, meeting)
    await tell_guardians(
        ctx, class_id=meeting.class_id, key=key, group_text=None,
        guardians=[a.guardian for a in tally.yes + tally.maybe + tally.no],
        private_text=lambda _: ctx.render(template, meeting=meeting, tz=ctx.tz, private=True,
                                          **values))
    if ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("meetings/changed_ok", meeting=meeting, groups=groups)


async def reschedule(ctx: MemberContext, args: NumberAndText) -> None:
    meeting = await _changeable(ctx, args.number)
    if meeting is None:
        return
    starts_at = await parse_time_or_explain(ctx, args.text, "start", "reschedule")
    if starts_at is None:
        return
    old_start = meeting.starts_at
    await meetings.reschedule(ctx.uow, meeting, starts_at)
    await meeting_reminders.plan(ctx.uow, meeting)
    await _announce_change(ctx, meeting, "meetings/moved",
                           keys.meeting_moved(meeting.id, meeting.version),
                           rsvp_buttons(ctx, meeting), old_start=old_start)


async def cancel(ctx: MemberContext, args: NumberArgs) -> None:
    meeting = await _changeable(ctx, args.number)
    if meeting is None:
        return
    await meetings.cancel(ctx.uow, meeting)
    await meeting_reminders.plan(ctx.uow, meeting)
    await _announce_change(ctx, meeting, "meetings/cancelled", keys.meeting_cancelled(meeting.id))


# --- check-in, attendance, minutes -------------------------------------------------------------

async def _check_in(ctx: MemberContext, meeting: Meeting | None, *, explicit: bool) -> None:
    """A check-in that cannot be applied is explained: to a typed 签到/到了 privately (the
    group does not need to see it), to #签到 where it was sent."""
    if meeting is None:
        await ctx.reply("meetings/checkin_closed", meeting=None, tz=ctx.tz, private=not explicit,
                        opens_minutes=ctx.uow.config.meetings.checkin_opens_minutes_before)
        return
    status = await meetings.check_in(ctx.uow, meeting, ctx.person.id)
    if status is CheckinStatus.NEW or status is CheckinStatus.ALREADY:
        # Like 收到: nothing in the group; a short private confirmation where we can.
        await tell_guardians(
            ctx, class_id=meeting.class_id, key=keys.meeting_checkin(meeting.id), kind=Kind.REPLY,
            guardians=[Guardian(ctx.person.id, ctx.person.display_name)], group_text=None,
            private_text=lambda _: ctx.render("meetings/checked_in", meeting=meeting, tz=ctx.tz))
        return
    if status is CheckinStatus.NOT_GUARDIAN and not explicit:
        return
    await ctx.reply("meetings/checkin_closed", meeting=meeting, status=status, tz=ctx.tz,
                    private=not explicit, opens=meetings.checkin_opens(ctx.uow, meeting),
                    opens_minutes=ctx.uow.config.meetings.checkin_opens_minutes_before)


async def checkin_phrase(ctx: MemberContext, text: str) -> None:
    """签到, 到了, 已到, 我到了，在门口 (a number in it names the meeting)."""
    await _check_in(ctx, await _target(ctx, read(text).number, Meant.HELD), explicit=False)


async def checkin_command(ctx: MemberContext, args: NumberArgs) -> None:
    await _check_in(ctx, await _target(ctx, args.number, Meant.HELD), explicit=True)


async def attendance(ctx: MemberContext, args: NumberArgs) -> None:
    meeting = await _target_for_report(ctx, args.number, Meant.HELD)
    if meeting is None:
        return
    record = await meetings.attendance(ctx.uow, meeting)
    await ctx.reply("meetings/attendance", record=record, tz=ctx.tz, private=True)


async def minutes(ctx: MemberContext, args: NumberAndText) -> None:
    """Store the minutes, say so in the group, and send them privately to absent families."""
    meeting = await _target_or_explain(ctx, args.number, Meant.HELD)
    if meeting is None:
        return
    first = await meetings.record_minutes(ctx.uow, meeting, args.text, ctx.person.id)
    if not first:
        await ctx.reply("meetings/minutes_updated", meeting=meeting)
        return
    record = await meetings.attendance(ctx.uow, meeting)
    absent = [a.family for a in record.absent] + record.no_answer
    guardians = [g for family in absent for g in family.guardians]
    unreached = await tell_guardians(
        ctx, class_id=meeting.class_id, guardians=guardians, key=keys.meeting_minutes(meeting.id),
        kind=Kind.NOTICE,
        group_text=None, hold=True,  # they get them when they next write to the bot privately
        private_text=lambda g: ctx.render("meetings/minutes_private", meeting=meeting,
                                          name=g.name, tz=ctx.tz))
    await post_to_groups(ctx, class_id=meeting.class_id, key=keys.meeting_minutes_post(meeting.id),
                         kind=Kind.NOTICE,
                         text=ctx.render("meetings/minutes_posted", meeting=meeting,
                                         present=len(record.present), absent=len(absent),
                                         unreached=len(unreached), tz=ctx.tz),
                         ref=("meeting", meeting.id))
    held_until = await outbox.release_after_quiet_hours(ctx.uow, meeting.class_id)
    if held_until is not None or ctx.event.chat.kind is ChatKind.PRIVATE:
        await ctx.reply("meetings/minutes_saved", meeting=meeting, held_until=held_until,
                        sent=len(guardians) - len(unreached), unreached=unreached, tz=ctx.tz)


router = Router(
    commands=(
        Command("meeting", KINDS, ("meeting",), create, MeetingArgs, roles=STAFF),
        Command("rsvp", ("报名",), ("rsvp",), rsvp_command, RsvpArgs, roles=FAMILIES,
                bare=False),
        Command("rsvps", ("报名情况",), ("rsvps",), rsvps, NumberArgs,
                roles=STAFF | {COMMITTEE}),
        Command("reschedule", ("改期",), ("reschedule",), reschedule, NumberAndText,
                roles=STAFF),
        Command("cancel_meeting", ("取消",), ("cancel",), cancel, NumberArgs, roles=STAFF,
                bare=False),
        Command("checkin", ("签到",), ("checkin",), checkin_command, NumberArgs,
                roles=FAMILIES, bare=False),
        Command("attendance", ("考勤",), ("attendance",), attendance, NumberArgs, roles=STAFF),
        Command("minutes", ("纪要",), ("minutes",), minutes, NumberAndText, roles=STAFF),
    ),
    phrases=(Phrase("checkin", is_checkin, checkin_phrase, roles=FAMILIES),),
    jobs={REMIND_JOB: remind, RSVP_NUDGE_JOB: rsvp_nudge},
)
