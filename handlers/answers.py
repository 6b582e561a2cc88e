"""Families' answers (收到 / 参加 / 不参加 / 待定 …) in any everyday form, applied to the item
they mean.

The words are read by core.reading (`read` → Reading); which notice or meeting they are about
is services.answering (one rule for every feature); this module applies the answer and tells
the parent what was recorded — privately, never a group flood. When the item cannot be told,
the parent is asked privately with a numbered choice (the `WHICH` question) and the answer is
applied when they pick one. In the group, plain chatter stays ignored; a message that reads as
an answer but cannot be applied gets a private question or explanation, never silence and never
a group message. Weak words alone (好的, 嗯, 👍) count when the item is clear, and are otherwise
left alone: they are everyday chatter too.

Check-ins (签到, 到了) are meetings' own phrase: they mean the meeting in progress.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from core.events import ChatKind
from core.permissions import FAMILIES
from core.reading import ItemKind, Kind, Reading, looks_like_answer, read
from core.reading import Rsvp as Said
from core.reading.answers import SignupIntent, SignupWords, is_plus_one, read_signup
from kit.context import MemberContext, Messenger, PersonContext, narrow
from kit.conversation import Answer, Question, ask
from kit.router import Phrase, Router, Scope
from models import Meeting, Notice, SignupList
from services import answering, cards, identities, jobs, keys, meetings, notices, roster, signups
from services.answering import Item, Resolved
from services.meetings import Answer as Rsvp
from services.meetings import RsvpResult
from services.notices import AckStatus
from services.outbox import Draft
from services.outbox import Kind as OutKind
from services.reach import tell_person

log = logging.getLogger(__name__)

_MAX_HEADS = 10
_MAX_REASON = 60


def is_answer(text: str) -> bool:
    """An acknowledgement or RSVP (check-ins are meetings' phrase), or something that looks
    like one but could not be read (it gets a private explanation, not silence)."""
    reading = read(text)
    if reading.kind in (Kind.ACK, Kind.RSVP):
        return not (reading.weak and reading.is_question)  # 好的，我问问孩子要不要带伞
    return reading.kind is Kind.NONE and looks_like_answer(text) and read_signup(text) is None


def _private(ctx: PersonContext) -> bool:
    return ctx.event.chat.kind is ChatKind.PRIVATE


async def _in_class(ctx: PersonContext, class_id: int) -> MemberContext | None:
    """The same message as a MemberContext acting in the item's class."""
    school_class = await roster.class_of_id(ctx.uow, class_id)
    if school_class is None:
        return None
    ctx.school_class = school_class
    return narrow(ctx, MemberContext)


# --- the phrase ----------------------------------------------------------------------------


async def answer_phrase(ctx: PersonContext, text: str) -> None:
    reading = read(text)
    via = "reply" if ctx.event.reply_to else "word"
    if not reading.is_answer:
        await ctx.tell_quietly("answers/unclear", text=text)
        return
    await answer(ctx, reading, via=via, explicit=False)


async def answer(ctx: PersonContext, reading: Reading, *, via: str, explicit: bool,
                 number: int | None = None, only: ItemKind | None = None) -> None:
    """Resolve the item(s) `reading` answers and apply it; ask or explain when that fails.
    `number`: an item number given as a command argument (`#收到 3`, `#报名 3 参加`);
    `only`: the words name one kind (`接龙`, `-1` are sign-up words only)."""
    kind = only or answer_kinds(reading)
    if number is not None:
        reading = replace(reading, numbers=(number,))
    class_ids = await ctx.answering_classes()
    if not class_ids:
        if explicit or _private(ctx):
            await ctx.reply("answers/not_guardian")
        return
    resolved = await answering.resolve(ctx.uow, person_id=ctx.person.id, class_ids=class_ids,
                                       kind=kind, reading=reading, event=ctx.event)
    if resolved.items:
        await _apply(ctx, reading, resolved.items, via=via, explicit=explicit)
        return
    # Weak words (好的, 嗯) in the group are chatter unless the item is clear; so is a bare
    # +1 when nothing at all is open (agreeing with someone's message).
    if (reading.weak or (is_plus_one(reading.text) and not resolved.choices)) \
            and not _private(ctx) and not explicit:
        return
    if resolved.choices and resolved.why is answering.Why.ASK:
        await _ask_which(ctx, reading, resolved, class_ids, via=via)
        return
    first = kind if isinstance(kind, ItemKind) else kind[0]
    await ctx.tell_quietly("answers/nothing_open", kind=first.value, number=reading.number,
                text=reading.text)


async def _apply(ctx: PersonContext, reading: Reading, items: Sequence[Item], *, via: str,
                 explicit: bool) -> None:
    if items[0].kind is ItemKind.NOTICE:
        await _acknowledge(ctx, reading, items, via=via, explicit=explicit)
        return
    if items[0].kind is ItemKind.SIGNUP:
        await _apply_signup(ctx, reading, items[0], via=via, explicit=explicit)
        return
    member = await _in_class(ctx, items[0].class_id)
    meeting = await meetings.get(ctx.uow, items[0].id)
    if member is not None and meeting is not None:
        await record_rsvp(member, meeting, reading, explicit=explicit)


# --- acknowledgements ----------------------------------------------------------------------


async def refresh_notice_cards(m: Messenger, notice: Notice) -> None:
    """The posted card's tally line follows the acknowledgements (edited where possible)."""
    status = await notices.read_status(m.uow, notice)
    text = m.render("notices/card", notice=notice, tally=status,
                    author=await cards.person_name(m.uow, notice.author_id))
    await cards.refresh(m.uow, keys.posts_of(keys.notice_post(notice.id)), text)


async def _acknowledge(ctx: PersonContext, reading: Reading, items: Sequence[Item], *,
                       via: str, explicit: bool) -> None:
    """Silent in the group (no flood); a short confirmation privately, or as a button toast.
    A question in the same message goes privately to the notice's author."""
    done: list[tuple[Notice, AckStatus]] = []
    for item in items:
        notice = await notices.get(ctx.uow, item.id)
        if notice is None:
            continue
        status = await notices.acknowledge(ctx.uow, notice, ctx.person.id, via)
        if status is AckStatus.NEW:  # once per transaction, however many 收到 it holds
            ctx.uow.before_commit(("notice_card", notice.id),
                                  lambda notice=notice: refresh_notice_cards(ctx, notice))
        done.append((notice, status))
    if not done:
        return
    notice, status = done[0]
    asked = bool(reading.question) and status is not AckStatus.NOT_GUARDIAN
    if asked:
        await _pass_question(ctx, notice, reading.question)
    names = await answering.class_names(ctx.uow, [n.class_id for n, _ in done])
    class_name = names.get(notice.class_id, "") if len(await ctx.answering_classes()) > 1 else ""
    values: dict[str, object] = {"asked": asked, "class_name": class_name}
    if len(done) > 1:
        template = "notices/acked_many"
        values.update(notices=[n for n, _ in done],
                      new=[n.number for n, s in done if s is AckStatus.NEW])
    else:
        template = "notices/acked"
        values.update(notice=notice, status=status)
    if _private(ctx) or ctx.event.action or (explicit and status is AckStatus.NOT_GUARDIAN):
        await ctx.reply(template, **values)
    elif asked or len(done) > 1:
        # From the group only when there is news for the parent: several notices counted at
        # once, or a question passed on. Privately: the group sees nothing.
        await ctx.tell_quietly(template, **values)


async def _pass_question(ctx: PersonContext, notice: Notice, question: str) -> None:
    """收到。请问交现金还是微信？ — the acknowledgement counts, the question reaches the author."""
    school_class = await roster.class_of_id(ctx.uow, notice.class_id)
    await tell_person(
        ctx, notice.author_id, key=keys.notice_question(notice.id, ctx.cause),
        class_id=notice.class_id, ref=("notice", notice.id),
        text=ctx.render("notices/question_passed", notice=notice, question=question,
                        name=ctx.person.display_name,
                        class_name=school_class.name if school_class else ""))


# --- RSVPs ---------------------------------------------------------------------------------


async def refresh_meeting_card(ctx: MemberContext, meeting: Meeting) -> None:
    """The posted card's tally line follows the answers (edited in place where possible)."""
    text = ctx.render("meetings/card", meeting=meeting, tz=ctx.tz,
                      author=await cards.person_name(ctx.uow, meeting.author_id),
                      tally=await meetings.tally(ctx.uow, meeting))
    await cards.refresh(ctx.uow, keys.posts_of(keys.meeting_card(meeting.id)), text)


async def record_rsvp(ctx: MemberContext, meeting: Meeting, reading: Reading, *,
                      explicit: bool) -> RsvpResult:
    """Record a family's answer with its head count and reason; the parent is told privately
    (a refusal too: the group does not need to see it)."""
    choice = Rsvp((reading.rsvp or Rsvp.YES).value)
    heads = min(max(reading.people or 1, 1), _MAX_HEADS)
    result = await meetings.answer(ctx.uow, meeting, ctx.person.id, choice, heads,
                                   reading.reason[:_MAX_REASON])
    if not result.recorded:
        if explicit or _private(ctx):
            await ctx.reply("meetings/rsvp_refused", meeting=meeting, result=result, tz=ctx.tz)
        else:
            await ctx.tell_quietly("meetings/rsvp_refused", meeting=meeting, result=result,
                                   tz=ctx.tz)
        return result
    await refresh_meeting_card(ctx, meeting)
    # A button press is answered with a toast (Context.reply turns it into one): no flood.
    if _private(ctx) or ctx.event.action:
        await ctx.reply("meetings/rsvp_recorded", meeting=meeting, result=result, tz=ctx.tz)
        return result
    # In the group: silent. A private confirmation only when the class asks for it.
    chat = identities.private_chat(ctx.identity)
    if chat is not None and ctx.uow.config.meetings.confirm_rsvp_privately:
        await ctx.send(Draft(chat=chat, kind=OutKind.REPLY, class_id=meeting.class_id,
                             dedupe_key=keys.rsvp_confirmation(ctx.event.channel,
                                                              ctx.event.message_id),
                             text=ctx.render("meetings/rsvp_recorded", meeting=meeting,
                                             result=result, tz=ctx.tz)))
    return result


# --- which one? ----------------------------------------------------------------------------


async def _ask_which(ctx: PersonContext, reading: Reading, resolved: Resolved,
                     class_ids: Sequence[int], *, via: str) -> None:
    """Several items fit: ask privately, numbered; the answer applies the original message."""
    chat = ctx.event.chat if _private(ctx) else identities.private_chat(ctx.identity)
    if chat is None:
        log.info("which item? cannot ask %s privately", ctx.person.id)
        return
    names = await answering.class_names(ctx.uow, class_ids) if len(class_ids) > 1 else {}
    choices = [{**item.as_payload(), "class_name": names.get(item.class_id, "")}
               for item in resolved.choices]
    note = await ask(ctx, WHICH, person_id=ctx.person.id, chat=chat,
                     payload={"text": reading.text, "via": via}, items=choices)
    kinds = {item.kind.value for item in resolved.choices}
    await ctx.reply("answers/which", private=not _private(ctx), note=note, items=choices,
                    kind=resolved.choices[0].kind.value if len(kinds) == 1 else "mixed",
                    text=reading.text)


async def which_answered(ctx: PersonContext, picked: Answer) -> None:
    """The parent picked one of the items: their original message applies to it."""
    item = Item.from_payload(picked.item)
    reading = read_answer(str(picked.payload.get("text", "")))
    if reading is None:
        return
    await _apply(ctx, reading, (item,), via=str(picked.payload.get("via", "word")),
                 explicit=True)


# --- sign-ups (issue 12 part 1) -----------------------------------------------------------
#
# `+1`, 参加, 报名 (and 不参加, 去不了) may mean a meeting or a 接龙: both kinds compete under the
# one rule of services/answering.py. 接龙, `报名 备注`, `-1`, 取消报名 are sign-up words only.


def answer_kinds(reading: Reading) -> ItemKind | tuple[ItemKind, ...]:
    """What kinds of item an answer may be about (a weak or maybe answer never joins a list)."""
    if reading.kind is not Kind.RSVP:
        return ItemKind.NOTICE
    if reading.weak or reading.rsvp is Said.MAYBE:
        return ItemKind.MEETING
    return (ItemKind.MEETING, ItemKind.SIGNUP)


def signup_reading(text: str, words: SignupWords) -> Reading:
    """A sign-up's own words as the Reading the resolver takes (join: yes, leave: no)."""
    rsvp = Said.YES if words.intent is SignupIntent.JOIN else Said.NO
    numbers = (words.number,) if words.number is not None else ()
    return Reading(text=text, kind=Kind.RSVP, rsvp=rsvp, people=words.people, numbers=numbers)


def read_answer(text: str) -> Reading | None:
    """An answer in any form this module applies (收到/参加 …, or a sign-up's own words)."""
    reading = read(text)
    if reading.is_answer:
        return reading
    words = read_signup(text)
    return signup_reading(text, words) if words is not None else None


def is_signup_words(text: str) -> bool:
    """接龙, `报名 备注`, -1, 取消报名 …: sign-up words that `read` does not take as an answer."""
    return read_signup(text) is not None and not read(text).is_answer


async def signup_phrase(ctx: PersonContext, text: str) -> None:
    words = read_signup(text)
    if words is None:
        return
    via = "reply" if ctx.event.reply_to else "word"
    await answer(ctx, signup_reading(text, words), via=via, explicit=False,
                 only=ItemKind.SIGNUP)


async def _apply_signup(ctx: PersonContext, reading: Reading, item: Item, *, via: str,
                        explicit: bool) -> None:
    """Join or withdraw; the parent is told privately (a button press: a toast), the group
    sees the list at most once per `signups.group_update_minutes`."""
    signup = await signups.get(ctx.uow, item.id)
    member = await _in_class(ctx, item.class_id)
    if signup is None or member is None:
        return
    words = read_signup(reading.text)
    values: dict[str, object] = {"signup": signup, "tz": member.tz}
    if reading.rsvp is Said.NO:
        left, moved_up = await signups.leave(ctx.uow, signup, ctx.person.id)
        values.update(left=left, closed=not signups.taking(ctx.uow, signup))
        await member.tell_quietly("signups/left", **values)
        if left:
            await signup_changed(member, signup)
            for line in moved_up:
                await tell_person(member, line.person_id, key=keys.signup_moved_up(
                    signup.id, line.entry_id), class_id=signup.class_id,
                    ref=("signup", signup.id),
                    text=member.render("signups/moved_up", signup=signup, line=line))
        return
    note = _own_note(words.note if words else "", ctx.person.display_name)
    result = await signups.join(ctx.uow, signup, ctx.person.id, heads=reading.people,
                                note=note, via="button" if ctx.event.action else via)
    values.update(result=result)
    if result.status is signups.JoinStatus.NEW:
        await signup_changed(member, signup)
    if result.status is signups.JoinStatus.NOT_GUARDIAN and not explicit:
        return
    await member.tell_quietly("signups/joined", **values)


def _own_note(note: str, name: str) -> str:
    """The note without the sender's own name (`+1 李明妈妈`, `报名 李明妈妈 周六可以`): the line
    already shows who it is."""
    if name and note.startswith(name):
        note = note[len(name):]
    return note.strip(" ,，、:：;；-—")


async def signup_changed(m: Messenger, signup: SignupList) -> None:
    """The card follows the list (edited in place where the platform can), and one updated
    list is due at the end of the current `group_update_minutes` window for the groups whose
    platform cannot edit: joiners in one window share it."""
    standing = await signups.standing(m.uow, signup)
    tz = m.tz_of(await roster.class_of_id(m.uow, signup.class_id))
    await cards.refresh(m.uow, keys.posts_of(keys.signup_card(signup.id)),
                        m.render("signups/card", standing=standing, tz=tz))
    minutes = m.uow.config.signups.group_update_minutes
    window = int(m.uow.now.timestamp() // (minutes * 60))
    due = datetime.fromtimestamp((window + 1) * minutes * 60, UTC)
    await jobs.schedule(m.uow, kind=signups.UPDATE_JOB, key=keys.signup_update(signup.id, window),
                        due_at=due, ref_id=signup.id, class_id=signup.class_id)


WHICH = Question("which_item", which_answered, expires_minutes=lambda _config: 24 * 60,
                 numbered=True)

router = Router(
    phrases=(Phrase("answer", is_answer, answer_phrase, roles=FAMILIES, needs_class=False,
                    scope=Scope.ANY),
             Phrase("signup_words", is_signup_words, signup_phrase, roles=FAMILIES,
                    needs_class=False, scope=Scope.ANY)),
    questions=(WHICH,),
)
