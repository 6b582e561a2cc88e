"""Polls (投票): a teacher or committee member asks, families vote in the group or privately.

`#投票 问题 | 选项A | 选项B [| 匿名/实名] [| 每人一票] [| 公布结果] [| 截止 时间]` (or the
question on the first line and one option a line) posts a numbered card with one button per
option. Families vote with `投票 1`, `选B`, `我选周六`, `#投票 3 2` (poll 3, option 2), a
button, or, while exactly one poll is open in the class, the option's exact text. A bare `1` or
`A` is chatter. Which poll a vote means is services.answering's rule (quoted card, number,
option words, else the only open poll, else a private question); a new vote replaces the old
one until the poll closes. Votes are silent in the group: the voter is told privately.

The author (or the head teacher) sees the results privately while it is open (`#投票情况`) and
at the close (`#结束投票`, or the deadline); the group sees the results at the close only when
the author wrote 公布结果. An anonymous poll shows counts only, to everyone, everywhere.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import COMMITTEE, FAMILIES, ROLES, STAFF
from core.reading import ItemKind, Reading
from core.reading.sensitive import worth_a_look
from core.reading.votes import Vote, bare_option, fold, read_vote, read_vote_args
from core.timeparse import TimeParseError, parse_when_async
from kit.context import ClassContext, MemberContext, Messenger, PersonContext, narrow
from kit.conversation import Answer, Question, ask
from kit.router import Args, Command, NumberArgs, Phrase, Router, Scope, UsageError
from models import Poll, ScheduledJob
from services import answering, cards, corrections, guardians, identities, keys, polls, roster
from services.answering import Item, Resolved, Why
from services.outbox import Kind
from services.polls import CLOSE_JOB, MAX_OPTIONS
from services.reach import post_to_groups, tell_person

log = logging.getLogger(__name__)

CREATORS = STAFF | {COMMITTEE}  # who may start a poll (families vote with the same word)
_DEADLINE = re.compile(r"^(?:投票)?截止(?:时间)?[\s:：]*(.+)$", re.S)
_ANONYMOUS = frozenset({"匿名", "匿名投票", "不记名"})
_NAMED = frozenset({"实名", "实名投票", "记名"})
_PUBLISH = frozenset({"公布结果", "公开结果", "结果公开", "公布", "结束后公布"})
_PER_PERSON = frozenset({"每人一票", "每人1票", "一人一票", "按人投票"})
_FLAGS = _ANONYMOUS | _NAMED | _PUBLISH | _PER_PERSON
# A: / 1. / ① before an option is its mark, not its text (but 18:30 is a time).
_OPTION_MARK = re.compile(r"^(?:[A-Za-z]|\d{1,2}|[①②③④⑤⑥⑦⑧⑨⑩])\s*[.、．:：)）]\s*(?=\D)")
_MAX_QUESTION, _MAX_OPTION = 200, 50


# --- arguments -----------------------------------------------------------------------------


@dataclass
class PollForm:
    question: str
    options: list[str] = field(default_factory=list)
    anonymous: bool = False
    per_person: bool = False
    publish: bool = False
    deadline: str | None = None


def _flags(part: str, form: PollForm) -> bool:
    """Take a part made only of flag words (`匿名 公布结果`); False if it is something else."""
    words = part.split()
    if not words or not all(w in _FLAGS for w in words):
        return False
    for word in words:
        form.anonymous = (form.anonymous or word in _ANONYMOUS) and word not in _NAMED
        form.publish = form.publish or word in _PUBLISH
        form.per_person = form.per_person or word in _PER_PERSON
    return True


def parse_form(text: str) -> PollForm | None:
    """A new poll (question and at least two options), or None when `text` is not one."""
    if not re.search(r"[|｜\n]", text):
        return None
    parts = [p.strip() for p in re.split(r"[|｜\n]", text) if p.strip()]
    form = PollForm(question="")
    for part in parts:
        if deadline := _DEADLINE.match(part):
            form.deadline = deadline.group(1).strip()
        elif _flags(part, form):
            continue
        elif not form.question:
            words = part.split()
            while len(words) > 1 and _flags(words[0], form):  # 匿名 周末去哪里
                words.pop(0)
            form.question = " ".join(words)
        else:
            option = _OPTION_MARK.sub("", part).strip()
            if option and fold(option) not in {fold(o) for o in form.options}:
                form.options.append(option[:_MAX_OPTION])
    if not form.question or not 2 <= len(form.options) <= MAX_OPTIONS:
        return None
    form.question = form.question[:_MAX_QUESTION]
    return form


class PollArgs(Args):
    """`#投票` takes either a new poll (with `|` or lines) or a vote (`3 2`, `B`, `周六`)."""

    text: str = Field(min_length=1, max_length=3000)

    @classmethod
    def from_text(cls, rest: str) -> PollArgs:
        if not rest.strip():
            raise UsageError("a question and options, or a vote")
        return cls(text=rest.strip())


# --- creating ------------------------------------------------------------------------------


def vote_buttons(m: Messenger, poll: Poll) -> tuple[Button, ...]:
    return tuple(Button(m.render("polls/button", index=i, option=option),
                        f"#投票 {poll.number} {i + 1}") for i, option in enumerate(poll.options))


async def _deadline(ctx: MemberContext, text: str) -> datetime | None:
    """A future time with an hour, or the problem said with what was understood."""
    try:
        parsed = await parse_when_async(text, ctx.uow.now, ZoneInfo(ctx.tz))
    except TimeParseError:
        await ctx.reply("polls/bad_time", text=text, problem="unreadable", understood=None,
                        tz=ctx.tz)
        return None
    problem = ("no_hour" if not parsed.has_time_of_day
               else "past" if parsed.at <= ctx.uow.now else "")
    if problem:
        await ctx.reply("polls/bad_time", text=text, problem=problem, understood=parsed.at,
                        tz=ctx.tz)
        return None
    return parsed.at


async def _create(ctx: MemberContext, form: PollForm) -> None:
    if not ctx.roles & CREATORS:
        await ctx.reply("common/not_allowed", command=ctx.declared("poll"),
                        roles=sorted(ctx.roles), allowed=[r for r in ROLES if r in CREATORS])
        return
    closes_at = None
    if form.deadline is not None:
        closes_at = await _deadline(ctx, form.deadline)
        if closes_at is None:
            return
    poll = await polls.create(ctx.uow, class_id=ctx.school_class.id, author_id=ctx.person.id,
                              question=form.question, options=form.options,
                              anonymous=form.anonymous, per_person=form.per_person,
                              publish_results=form.publish, closes_at=closes_at)
    groups = await post_to_groups(
        ctx, class_id=poll.class_id, key=keys.poll_card(poll.id), kind=Kind.NOTICE,
        text=ctx.render("polls/card", poll=poll, tz=ctx.tz, author=ctx.person.display_name,
                        tally=None),
        ref=("poll", poll.id), buttons=vote_buttons(ctx, poll))
    if ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("polls/created", poll=poll, groups=groups, tz=ctx.tz)


async def poll_command(ctx: MemberContext, args: PollArgs) -> None:
    """`#投票`: a new poll when it has options, else a vote (`#投票 3 2`, a button)."""
    form = parse_form(args.text)
    if form is not None:
        await _create(ctx, form)
        return
    vote = read_vote_args(args.text)
    if ctx.roles & FAMILIES and vote is not None and (vote.option or vote.words):
        await cast(ctx, vote, explicit=True)
        return
    await ctx.reply_usage("poll")


# --- voting --------------------------------------------------------------------------------


def _private(ctx: PersonContext) -> bool:
    return ctx.event.chat.kind is ChatKind.PRIVATE


def _reading(vote: Vote, text: str) -> Reading:
    """The vote as the shared rule reads an answer: its poll number and its option words."""
    return Reading(text=text, numbers=(vote.poll,) if vote.poll else (),
                   topic=(answering.option_line(vote.words),) if vote.words else (),
                   item_kind=ItemKind.POLL)


async def cast(ctx: PersonContext, vote: Vote, *, explicit: bool) -> None:
    """Resolve the poll a vote means and record it; ask which poll, or explain, privately."""
    text = ctx.event.action or ctx.event.text
    class_ids = await ctx.answering_classes()
    if not class_ids:
        if explicit or _private(ctx):
            await ctx.reply("answers/not_guardian")
        return
    resolved = await answering.resolve(ctx.uow, person_id=ctx.person.id, class_ids=class_ids,
                                       kind=ItemKind.POLL, reading=_reading(vote, text),
                                       event=ctx.event)
    if resolved.items:
        await _apply(ctx, resolved.items[0], vote, explicit=explicit)
    elif resolved.choices and resolved.why is Why.ASK:
        await _ask_which(ctx, vote, resolved, class_ids, text)
    else:
        await ctx.tell_quietly("polls/nothing_open", number=vote.poll, text=text)


def _option_index(poll: Poll, vote: Vote) -> int | None:
    if vote.option is not None:
        return vote.option - 1 if 1 <= vote.option <= len(poll.options) else None
    folded = [fold(o) for o in poll.options]
    return folded.index(vote.words) if vote.words in folded else None


async def _apply(ctx: PersonContext, item: Item, vote: Vote, *, explicit: bool) -> None:
    poll = await polls.get(ctx.uow, item.id)
    school_class = await roster.class_of_id(ctx.uow, item.class_id)
    if poll is None or school_class is None:
        return
    ctx.school_class = school_class
    member = narrow(ctx, MemberContext)
    option = _option_index(poll, vote)
    if option is None:
        if vote.option is not None or explicit or _private(ctx):
            await member.tell_quietly("polls/no_option", poll=poll, text=member.event.action
                        or member.event.text)
        return  # 选好了 in the group: words that name no option are chatter
    result = await polls.vote(ctx.uow, poll, ctx.person.id, option)
    if result.recorded:
        await refresh_card(member, poll)
    await member.tell_quietly("polls/voted", poll=poll, result=result, tz=member.tz)


async def refresh_card(m: Messenger, poll: Poll) -> None:
    """The card's participation line follows the votes (never who voted, never the counts per
    option while it is open: results go to the author)."""
    school_class = await roster.class_of_id(m.uow, poll.class_id)
    text = m.render("polls/card", poll=poll, tz=m.tz_of(school_class),
                    author=await cards.person_name(m.uow, poll.author_id),
                    tally=await polls.tally(m.uow, poll))
    await cards.refresh(m.uow, keys.posts_of(keys.poll_card(poll.id)), text)


async def _ask_which(ctx: PersonContext, vote: Vote, resolved: Resolved, class_ids: list[int],
                     text: str) -> None:
    chat = ctx.event.chat if _private(ctx) else identities.private_chat(ctx.identity)
    if chat is None:
        log.info("which poll? cannot ask privately")
        return
    names = await answering.class_names(ctx.uow, class_ids) if len(class_ids) > 1 else {}
    choices = [{**item.as_payload(), "class_name": names.get(item.class_id, "")}
               for item in resolved.choices]
    note = await ask(ctx, WHICH_POLL, person_id=ctx.person.id, chat=chat, items=choices,
                     payload={"option": vote.option, "words": vote.words, "text": text})
    await ctx.reply("polls/which", private=not _private(ctx), note=note, items=choices,
                    text=text)


async def which_answered(ctx: PersonContext, picked: Answer) -> None:
    """The parent picked the poll: their vote applies to it."""
    option = picked.payload.get("option")
    vote = Vote(option=int(option) if option is not None else None,
                words=str(picked.payload.get("words", "")))
    await _apply(ctx, Item.from_payload(picked.item), vote, explicit=True)


WHICH_POLL = Question("which_poll", which_answered, expires_minutes=lambda _config: 24 * 60,
                      numbered=True)


def is_vote(text: str) -> bool:
    """`投票 1`, `选B`, `选第二个` (core.reading.votes): a vote by number or letter."""
    vote = read_vote(text)
    return vote is not None and not vote.words


def is_vote_by_words(text: str) -> bool:
    """`我选周六`, `支持植物园`: a vote by the option's words — in a group only (privately,
    `我选好了` is talk for the private fallback). Words that could be a child's score
    (`选 李明 95`) are left to the privacy guard's phrase."""
    vote = read_vote(text)
    return vote is not None and bool(vote.words) and not worth_a_look(text)


async def vote_phrase(ctx: PersonContext, text: str) -> None:
    vote = read_vote(text)
    if vote is not None:
        await cast(ctx, vote, explicit=False)


def may_be_option(text: str) -> bool:
    """A short group message that could be an option's exact text (checked in the handler)."""
    return bare_option(text) is not None


async def option_phrase(ctx: ClassContext, text: str) -> None:
    """`周六上午` in the group counts as a vote only while exactly one poll of the class is
    open and has that very option, from a family of the class; anything else stays chatter."""
    words = bare_option(text)
    if ctx.person is None or words is None:
        return
    open_polls = await polls.open_polls(ctx.uow, [ctx.school_class.id])
    if len(open_polls) != 1 or words not in {fold(o) for o in open_polls[0].options}:
        return
    if not await guardians.students_of_guardian(ctx.uow, ctx.school_class.id, ctx.person.id):
        return
    member = narrow(ctx, MemberContext)
    await cast(member, Vote(words=words), explicit=False)


# --- results and closing -------------------------------------------------------------------


async def _find(ctx: MemberContext, number: int | None) -> Poll | None:
    """By number; else the quoted card; else the newest open poll, else the newest one."""
    poll = None
    if number is not None:
        poll = await polls.by_number(ctx.uow, ctx.school_class.id, number)
    else:
        quoted = await answering.quoted_ref(ctx.uow, ctx.event)
        if quoted is not None and quoted[0] == "poll":
            found = await polls.get(ctx.uow, quoted[1])
            poll = found if found and found.class_id == ctx.school_class.id else None
        poll = poll or await polls.latest(ctx.uow, ctx.school_class.id, open_only=True) \
            or await polls.latest(ctx.uow, ctx.school_class.id)
    if poll is None:
        await ctx.reply("polls/not_found", number=number, private=True)
    return poll


async def _mine(ctx: MemberContext, number: int | None) -> Poll | None:
    """The poll, when the sender started it or is the head teacher (else they are told)."""
    poll = await _find(ctx, number)
    if poll is not None and not corrections.may_change(ctx.roles, ctx.person.id,
                                                       poll.author_id):
        await ctx.reply("polls/not_author", poll=poll, private=True,
                        author=await cards.person_name(ctx.uow, poll.author_id))
        return None
    return poll


async def results(ctx: MemberContext, args: NumberArgs) -> None:
    """`#投票情况 [N]`: privately, to the author or the head teacher."""
    poll = await _mine(ctx, args.number)
    if poll is None:
        return
    await ctx.reply("polls/results", tally=await polls.tally(ctx.uow, poll), tz=ctx.tz,
                    private=True)


async def announce_close(m: Messenger, poll: Poll, tz: str) -> None:
    """The card shows it is over; the group gets one line, with the results when the author
    chose 公布结果 (counts only: names never go to a group)."""
    tally = await polls.tally(m.uow, poll)
    await refresh_card(m, poll)
    await post_to_groups(m, class_id=poll.class_id, key=keys.poll_closed(poll.id),
                         kind=Kind.BROADCAST, ref=("poll", poll.id),
                         text=m.render("polls/closed_group", tally=tally, tz=tz))


async def close_command(ctx: MemberContext, args: NumberArgs) -> None:
    """`#结束投票 [N]`: the author or the head teacher closes it and gets the results."""
    poll = await _mine(ctx, args.number)
    if poll is None:
        return
    if not await polls.close(ctx.uow, poll):
        await ctx.reply("polls/results", tally=await polls.tally(ctx.uow, poll), tz=ctx.tz,
                        private=True)
        return
    await announce_close(ctx, poll, ctx.tz)
    await ctx.reply("polls/results", tally=await polls.tally(ctx.uow, poll), tz=ctx.tz,
                    private=True)


async def close_due(m: Messenger, job: ScheduledJob) -> None:
    """Due job at the deadline: close, tell the author privately, and the group."""
    poll = await polls.get(m.uow, job.ref_id or 0)
    if poll is None or not await polls.close(m.uow, poll):
        return
    school_class = await roster.class_of_id(m.uow, poll.class_id)
    tz = m.tz_of(school_class)
    await announce_close(m, poll, tz)
    await tell_person(m, poll.author_id, key=keys.poll_closed(poll.id), class_id=poll.class_id,
                      hold=True, ref=("poll", poll.id),
                      text=m.render("polls/results", tally=await polls.tally(m.uow, poll),
                                    tz=tz))


router = Router(
    commands=(
        Command("poll", ("投票",), ("poll",), poll_command, PollArgs, roles=CREATORS | FAMILIES,
                bare=False),
        Command("poll_results", ("投票情况", "投票结果"), ("pollresults",), results, NumberArgs,
                roles=CREATORS),
        Command("close_poll", ("结束投票",), ("closepoll",), close_command, NumberArgs,
                roles=CREATORS),
    ),
    phrases=(
        Phrase("vote", is_vote, vote_phrase, roles=FAMILIES, needs_class=False, scope=Scope.ANY),
        Phrase("vote_words", is_vote_by_words, vote_phrase, roles=FAMILIES, needs_class=False,
               scope=Scope.GROUP),
    ),
    questions=(WHICH_POLL,),
    jobs={CLOSE_JOB: close_due},
)

# Last of all the phrases (handlers/__init__.py puts it at the end): an option's exact text in
# the group, checked against the open poll in the handler, silent when it is none.
option_router = Router(
    phrases=(Phrase("vote_option", may_be_option, option_phrase, roles=frozenset(ROLES),
                    scope=Scope.GROUP),),
)
