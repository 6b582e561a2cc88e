"""Sign-up lists (接龙): open one, join it the way WeChat groups do, the organiser's list.

Opening: `#接龙 周五开放日志愿者 | 限 6人 | 截止 周四18:00 | 每户1人` (teachers and the parent
committee; the parts may also be written without `|`). Joining and withdrawing are answers
(`+1`, 接龙, `报名 备注`, -1, 取消报名) and go through handlers/answers.py, so a `+1` with a
meeting open too follows the one rule there. A pasted WeChat 接龙 block (`#接龙\n标题\n\n1. …`)
records every registered family it names and tells the sender privately which lines it could
not match. The group sees the list at most once per `signups.group_update_minutes` (the card
is edited in place where the platform can); the organiser gets it privately on #接龙情况 and
at the deadline.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import COMMITTEE, FAMILIES, STAFF
from core.reading import ItemKind, Kind, Reading, Rsvp
from core.reading.answers import Chain, read_chain
from handlers import answers
from handlers.meetings import parse_time_or_explain
from kit.context import MemberContext, Messenger
from kit.router import Args, Command, NumberArgs, Router
from models import ScheduledJob, SignupList
from services import class_groups, guardians, jobs, keys, outbox, roster, signups
from services.outbox import Kind as OutKind
from services.reach import group_chat, post_to_groups, tell_person

ORGANISERS = STAFF | {COMMITTEE}
_CAPACITY = re.compile(r"(?:限|限额|名额|限报|共|需要?)\s*(\d{1,4})\s*(?:人|位|名|个)")
_PER_FAMILY = re.compile(r"每(?:户|家|个家庭|家庭)(?:限)?\s*(\d{1,2})\s*(?:人|位|名|个)")
_DEADLINE = re.compile(
    r"(?:报名)?截止(?:时间|到)?[\s:：]*([^|｜\n]+?)(?=\s*(?:[|｜\n]|限|每户|每家|$))")
_NUMBER_ONLY = re.compile(r"^#?\s*(\d{1,4})$")


class SignupArgs(Args):
    """What follows `#接龙`: a pasted block, a list number (a parent joining), or a new list."""

    text: str = Field(default="", max_length=4000)
    number: int | None = Field(default=None, ge=1)
    title: str = Field(default="", max_length=100)
    capacity: int | None = Field(default=None, ge=1, le=5000)
    per_family: int | None = Field(default=None, ge=1, le=10)
    deadline: str | None = Field(default=None, max_length=60)

    @classmethod
    def from_text(cls, rest: str) -> SignupArgs:
        rest = rest.strip()
        if found := _NUMBER_ONLY.match(rest):
            return cls(text=rest, number=int(found.group(1)))
        values: dict[str, object] = {"text": rest}
        free = rest
        for pattern, field in ((_CAPACITY, "capacity"), (_PER_FAMILY, "per_family"),
                               (_DEADLINE, "deadline")):
            if found := pattern.search(free):
                value = found.group(1).strip()
                values[field] = value if field == "deadline" else int(value)
                free = free[:found.start()] + " " + free[found.end():]
        title = " ".join(p.strip() for p in re.split(r"[|｜\n]", free) if p.strip())
        values["title"] = title[:100]
        return cls.model_validate(values)

    @property
    def chain(self) -> Chain | None:
        return read_chain("#接龙\n" + self.text) if "\n" in self.text else None


def join_button(m: Messenger, signup: SignupList) -> tuple[Button, ...]:
    return (Button(m.render("signups/button"), f"#接龙 {signup.number}"),)


async def _tz(m: Messenger, class_id: int) -> str:
    return m.tz_of(await roster.class_of_id(m.uow, class_id))


async def card_text(m: Messenger, signup: SignupList) -> str:
    return m.render("signups/card", standing=await signups.standing(m.uow, signup),
                    tz=await _tz(m, signup.class_id))


# --- #接龙 ---------------------------------------------------------------------------------


async def signup_command(ctx: MemberContext, args: SignupArgs) -> None:
    """A pasted block records its families; an organiser with a title opens a list; anyone
    else (or a number alone) joins."""
    if (chain := args.chain) is not None:
        await _pasted(ctx, chain)
        return
    if args.title and ctx.roles & ORGANISERS and args.number is None:
        await _create(ctx, args)
        return
    reading = Reading(text=ctx.event.text, kind=Kind.RSVP, rsvp=Rsvp.YES)
    await answers.answer(ctx, reading, via="button" if ctx.event.action else "command",
                         explicit=True, number=args.number, only=ItemKind.SIGNUP)


async def _create(ctx: MemberContext, args: SignupArgs) -> SignupList | None:
    deadline: datetime | None = None
    if args.deadline is not None:
        deadline = await parse_time_or_explain(ctx, args.deadline, "deadline", command="signup")
        if deadline is None:
            return None
    signup = await signups.create(ctx.uow, class_id=ctx.school_class.id, author_id=ctx.person.id,
                                  title=args.title, capacity=args.capacity,
                                  per_family=args.per_family, deadline=deadline)
    groups = await post_to_groups(ctx, class_id=signup.class_id, key=keys.signup_card(signup.id),
                                  text=await card_text(ctx, signup), kind=OutKind.NOTICE,
                                  ref=("signup", signup.id), buttons=join_button(ctx, signup))
    if deadline is not None:
        await jobs.schedule(ctx.uow, kind=signups.DEADLINE_JOB,
                            key=keys.signup_deadline(signup.id), due_at=deadline,
                            ref_id=signup.id, class_id=signup.class_id)
    if ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("signups/created", signup=signup, groups=groups, tz=ctx.tz)
    return signup


async def _pasted(ctx: MemberContext, chain: Chain) -> None:
    """Record every registered family the block names; never remove anyone missing from it."""
    uow = ctx.uow
    signup = await signups.by_title(uow, ctx.school_class.id, chain.title)
    if signup is None:
        lists = await signups.open_lists(uow, [ctx.school_class.id])
        signup = lists[0] if len(lists) == 1 else None
    if signup is None and ctx.roles & ORGANISERS and chain.title:
        signup = await _create(ctx, SignupArgs(title=chain.title[:100]))
    if signup is None:
        await ctx.reply("signups/paste_no_list", title=chain.title, private=True)
        return
    added: list[str] = []
    unmatched: list[str] = []
    mine = set(await guardians.students_of_guardian(uow, signup.class_id, ctx.person.id))
    for number, line in chain.lines:
        matched = await signups.match_line(uow, signup.class_id, line, sender_id=ctx.person.id,
                                           sender_name=ctx.person.display_name)
        if matched is None:
            unmatched.append(f"{number}. {line}")
            continue
        result = await signups.join(uow, signup, matched.person_id, heads=None,
                                    note=matched.note, via="paste", student_id=matched.student_id,
                                    revive=matched.student_id in mine)
        if result.status is signups.JoinStatus.NEW and result.line is not None:
            added.append(result.line.name)
    if added:
        await answers.signup_changed(ctx, signup)
    if added or unmatched or ctx.event.chat.kind is ChatKind.PRIVATE:
        await ctx.reply("signups/pasted", signup=signup, added=added, unmatched=unmatched,
                        closed=not signups.taking(uow, signup), private=True)


# --- the organiser -------------------------------------------------------------------------


async def _target(ctx: MemberContext, number: int | None) -> SignupList | None:
    signup = (await signups.by_number(ctx.uow, ctx.school_class.id, number) if number
              else await signups.latest(ctx.uow, ctx.school_class.id))
    if signup is None:
        await ctx.reply("signups/not_found", number=number, private=True)
    return signup


async def status(ctx: MemberContext, args: NumberArgs) -> None:
    """#接龙情况: the whole list privately, the waiting list marked."""
    signup = await _target(ctx, args.number)
    if signup is None:
        return
    await ctx.reply("signups/status", standing=await signups.standing(ctx.uow, signup),
                    tz=ctx.tz, private=True)


async def close_command(ctx: MemberContext, args: NumberArgs) -> None:
    """#结束接龙: stop taking names now; the organiser gets the final list as at a deadline."""
    signup = await _target(ctx, args.number)
    if signup is None:
        return
    closed = await signups.close(ctx.uow, signup)
    if closed:
        await _final_list(ctx, signup)
    if not closed or ctx.person.id != signup.author_id:  # the author has just got the list
        await ctx.reply("signups/closed", signup=signup, already=not closed, private=True)


async def leave_command(ctx: MemberContext, args: NumberArgs) -> None:
    """#取消报名 [N]: the same as a plain -1 (handlers/answers.py)."""
    reading = Reading(text=ctx.event.text, kind=Kind.RSVP, rsvp=Rsvp.NO)
    await answers.answer(ctx, reading, via="command", explicit=True, number=args.number,
                         only=ItemKind.SIGNUP)


# --- due jobs ------------------------------------------------------------------------------


async def post_update(m: Messenger, job: ScheduledJob) -> None:
    """One updated list for the window's joiners, in the groups whose platform cannot edit the
    card (where it can, the card already shows it)."""
    signup = await signups.get(m.uow, job.ref_id or 0)
    if signup is None or not signups.taking(m.uow, signup):
        return  # closed since: the organiser has the final list
    text = await card_text(m, signup)
    for binding in await class_groups.of_class(m.uow, signup.class_id):
        caps = m.capabilities.get(binding.channel)
        if caps is not None and caps.edits:
            continue
        await m.send(outbox.Draft(chat=group_chat(binding), text=text, kind=OutKind.BROADCAST,
                                  class_id=signup.class_id,
                                  dedupe_key=keys.in_group(job.dedupe_key, binding.id),
                                  buttons=join_button(m, signup),
                                  ref_kind="signup", ref_id=signup.id))


async def at_deadline(m: Messenger, job: ScheduledJob) -> None:
    """The deadline: the list stops taking names and the organiser gets it privately."""
    signup = await signups.get(m.uow, job.ref_id or 0)
    if signup is None or signup.deadline is None or signup.deadline > m.uow.now:
        return
    if await signups.close(m.uow, signup):
        await _final_list(m, signup)


async def _final_list(m: Messenger, signup: SignupList) -> None:
    await tell_person(m, signup.author_id, key=keys.signup_deadline(signup.id),
                      class_id=signup.class_id, hold=True,
                      text=m.render("signups/final", standing=await signups.standing(m.uow, signup),
                                    tz=await _tz(m, signup.class_id)))


router = Router(
    commands=(
        Command("signup", ("接龙",), ("signup",), signup_command, SignupArgs,
                roles=ORGANISERS | FAMILIES, bare=False),
        Command("signup_status", ("接龙情况",), ("signups",), status, NumberArgs,
                roles=ORGANISERS),
        Command("signup_close", ("结束接龙",), ("closesignup",), close_command, NumberArgs,
                roles=ORGANISERS),
        Command("signup_leave", ("取消报名", "取消接龙"), ("unsign",), leave_command, NumberArgs,
                roles=FAMILIES, bare=False),
    ),
    jobs={signups.UPDATE_JOB: post_update, signups.DEADLINE_JOB: at_deadline},
)
