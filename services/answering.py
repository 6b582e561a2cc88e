"""Which item an answer means: one rule for every feature that asks families something.

A parent's 收到 / 参加 / 不参加 / +1 / 选B is about a notice, a meeting, a sign-up or a poll, and
getting the item wrong is worse than asking: the teacher is then told to phone a family that
did answer. So the order is fixed, and the bot never guesses "the newest":

1. a quoted reply → the item the quoted bot message was about (a card or a reminder);
2. explicit number(s) (`收到3`, `3收到`, `收到 10号通知`, `#报名 3 参加`) → those items;
3. title or kind words (`体检费的通知收到了`, `座谈会参加`) → the open item they name (a
   vote: an option's exact text, `我选周六上午` → the open poll with that option);
4. in a private chat, right after the bot reminded the person about an item → that item;
5. exactly one open item the family still owes an answer to → that one (for notices: the
   owed notices of one burst count as one, so a single 收到 acknowledges the whole burst);
6. otherwise several candidates → the caller asks which one (a numbered choice); none → the
   caller explains that nothing is open.

The candidates span every class the person is a guardian in (a parent with children in two
classes says 收到 privately once and it resolves across both). A notice held for quiet hours
is not open until it is posted: it can be neither acknowledged nor chosen before then.
Check-ins are not resolved here: 签到 means the meeting in progress (services.meetings.find
with Meant.HELD), never a choice among future meetings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select

from core.events import ChatKind, Event
from core.reading import ItemKind, Reading, Rsvp
from core.reading.votes import fold
from models import (
    Meeting,
    MeetingRsvp,
    Notice,
    OutboxMessage,
    Poll,
    SignupList,
)
from services import guardians, notices, outbox, polls, roster, signups
from services.uow import UnitOfWork

# A reminder is "what the bot just asked" for this long; after that a bare 收到 in the private
# chat is resolved like any other (owed items, else a question).
REMINDER_WINDOW = timedelta(days=2)
# The ref kind a burst reminder carries (ref_id: the burst's first notice).
BURST_REF = "notice_burst"


class Why(StrEnum):
    """How the item was found (the tests and the log say which rule applied)."""

    QUOTED = "quoted"
    NUMBER = "number"
    TOPIC = "topic"
    REMINDER = "reminder"
    ONLY = "only"
    ASK = "ask"
    NONE = "none"


@dataclass(frozen=True)
class Item:
    """One notice or meeting, as the resolver and the which-one question carry it."""

    kind: ItemKind
    id: int
    class_id: int
    number: int
    title: str

    def as_payload(self) -> dict[str, object]:
        return {"kind": self.kind.value, "id": self.id, "class_id": self.class_id,
                "number": self.number, "title": self.title}

    @classmethod
    def from_payload(cls, data: dict[str, object]) -> Item:
        return cls(ItemKind(str(data["kind"])), int(str(data["id"])), int(str(data["class_id"])),
                   int(str(data["number"])), str(data["title"]))


@dataclass(frozen=True)
class Resolved:
    """`items`: what the answer is about (one item, or the owed notices of one burst);
    `choices`: several candidates, ask which; both empty: nothing open to answer."""

    why: Why
    items: tuple[Item, ...] = ()
    choices: tuple[Item, ...] = ()


def notice_item(notice: Notice) -> Item:
    return Item(ItemKind.NOTICE, notice.id, notice.class_id, notice.number, notice.title)


def meeting_item(meeting: Meeting) -> Item:
    return Item(ItemKind.MEETING, meeting.id, meeting.class_id, meeting.number,
                meeting.topic or meeting.kind)


# What an answer may be about: one kind, or several (a `+1` may join a 接龙 or accept a meeting).
Kinds = ItemKind | tuple[ItemKind, ...]


@dataclass(frozen=True)
class _Candidate:
    item: Item
    owed: bool
    words: str  # what topic words are matched against (title, kind, topic, place)
    burst: int  # notices: the burst's first notice id (meetings: their own id)


async def guardian_classes(uow: UnitOfWork, person_id: int) -> list[int]:
    """The classes in which this person is a guardian (answers are per family)."""
    from models import ClassMembership  # local: only this query needs the table

    rows = await uow.session.scalars(select(ClassMembership.class_id).where(
        ClassMembership.person_id == person_id, guardians.parents()).distinct())
    return sorted(set(rows.all()))


# --- notices -------------------------------------------------------------------------------


def _bursts(rows: Sequence[Notice], minutes: int) -> dict[int, int]:
    """notice id → id of the first notice of its burst: notices of one class posted at most
    `minutes` apart, chained (a teacher posting four notices in six minutes makes one burst)."""
    first: dict[int, int] = {}
    by_class: dict[int, list[Notice]] = {}
    for row in rows:
        by_class.setdefault(row.class_id, []).append(row)
    for class_rows in by_class.values():
        class_rows.sort(key=lambda n: (n.publish_at, n.number))
        start: Notice | None = None
        previous: Notice | None = None
        for row in class_rows:
            if previous is None or start is None or \
                    row.publish_at - previous.publish_at > timedelta(minutes=minutes):
                start = row
            first[row.id] = start.id
            previous = row
    return first


async def open_notices(uow: UnitOfWork, class_ids: Sequence[int]) -> list[Notice]:
    """Posted (not held), not withdrawn notices still inside the acknowledgement window."""
    since = uow.now - timedelta(days=uow.config.notices.ack_window_days)
    rows = await notices.standing_since(uow, class_ids, since)
    return sorted((n for n in rows if n.publish_at <= uow.now),
                  key=lambda n: (n.class_id, n.number))


async def burst_of(uow: UnitOfWork, notice: Notice) -> list[Notice]:
    """The notices posted in one burst with this one (itself included), oldest first."""
    rows = await open_notices(uow, [notice.class_id])
    if notice not in rows:
        rows.append(notice)
    first = _bursts(rows, uow.config.notices.burst_minutes)
    return sorted((n for n in rows if first[n.id] == first[notice.id]), key=lambda n: n.number)


async def _owed_notices(uow: UnitOfWork, person_id: int, rows: Sequence[Notice]) -> set[int]:
    owed: set[int] = set()
    for class_id in {n.class_id for n in rows}:
        students = set(await guardians.students_of_guardian(uow, class_id, person_id))
        ids = [n.id for n in rows if n.class_id == class_id]
        acked = await notices.acks_of(uow, ids)  # the card's tally reads them again
        owed |= {i for i in ids if students - acked[i]}
    return owed


async def _notice_candidates(uow: UnitOfWork, person_id: int,
                             class_ids: Sequence[int]) -> list[_Candidate]:
    rows = await open_notices(uow, class_ids)
    owed = await _owed_notices(uow, person_id, rows)
    first = _bursts(rows, uow.config.notices.burst_minutes)
    return [_Candidate(notice_item(n), n.id in owed, f"{n.title}\n{n.body}", first[n.id])
            for n in rows]


# --- meetings ------------------------------------------------------------------------------


async def _meeting_candidates(uow: UnitOfWork, person_id: int,
                              class_ids: Sequence[int]) -> list[_Candidate]:
    """Open meetings not started yet; owed when unanswered and the deadline has not passed
    (a late answer to the only meeting still reaches it, and is refused with the reason)."""
    rows = list((await uow.session.scalars(select(Meeting).where(
        Meeting.class_id.in_(class_ids), Meeting.status == "open",
        Meeting.starts_at > uow.now).order_by(Meeting.class_id, Meeting.number))).all())
    out: list[_Candidate] = []
    for meeting in rows:
        students = await guardians.students_of_guardian(uow, meeting.class_id, person_id)
        answered = set((await uow.session.scalars(select(MeetingRsvp.student_id).where(
            MeetingRsvp.meeting_id == meeting.id,
            MeetingRsvp.student_id.in_(students)))).all())
        taking = meeting.rsvp_deadline is None or meeting.rsvp_deadline >= uow.now
        out.append(_Candidate(meeting_item(meeting), taking and bool(set(students) - answered),
                              f"{meeting.kind}\n{meeting.topic}\n{meeting.place}", meeting.id))
    return out


# --- polls (issue 12) ------------------------------------------------------------------------


def poll_item(poll: Poll) -> Item:
    return Item(ItemKind.POLL, poll.id, poll.class_id, poll.number, poll.question)


def option_line(words: str) -> str:
    """Topic words for a poll are one whole option (`周六` must not pick `周六上午`): they are
    matched as a line of `_Candidate.words`, which for a poll holds one folded option a line."""
    return f"\n{words}\n"


async def _poll_candidates(uow: UnitOfWork, person_id: int,
                           class_ids: Sequence[int]) -> list[_Candidate]:
    """Open polls; owed while the family (or, 每人一票, the person) has not voted."""
    out: list[_Candidate] = []
    for poll in await polls.open_polls(uow, class_ids):
        voted = await polls.has_voted(uow, poll, person_id)
        words = "".join(option_line(fold(o)) for o in poll.options)
        out.append(_Candidate(poll_item(poll), not voted, words, poll.id))
    return out


# --- the rule ------------------------------------------------------------------------------


async def quoted_ref(uow: UnitOfWork, event: Event) -> tuple[str, int] | None:
    """What the bot message this one quotes is about (`("poll", 3)`), if it quotes one."""
    return await _quoted(uow, event)


async def _quoted(uow: UnitOfWork, event: Event) -> tuple[str, int] | None:
    if not event.reply_to:
        return None
    return await outbox.find_reference(uow, event.channel, event.chat.chat_id, event.reply_to)


async def _last_reminder(uow: UnitOfWork, event: Event) -> tuple[str, int] | None:
    """What the bot's latest message with an item in this private chat was about, if recent."""
    row = (await uow.session.execute(
        select(OutboxMessage.ref_kind, OutboxMessage.ref_id).where(
            OutboxMessage.channel == event.channel, OutboxMessage.chat_id == event.chat.chat_id,
            OutboxMessage.ref_kind.is_not(None),
            OutboxMessage.created_at >= uow.now - REMINDER_WINDOW)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()))).first()
    if row is None or row.ref_id is None:
        return None
    return row.ref_kind, row.ref_id


def _by_ref(candidates: list[_Candidate], ref: tuple[str, int] | None) -> list[_Candidate]:
    if ref is None:
        return []
    ref_kind, ref_id = ref
    if ref_kind == BURST_REF:
        return [c for c in candidates if c.item.kind is ItemKind.NOTICE and c.burst == ref_id]
    return [c for c in candidates if ref_kind == c.item.kind.value and c.item.id == ref_id]


def _owed_or_all(found: list[_Candidate]) -> list[_Candidate]:
    owed = [c for c in found if c.owed]
    return owed or found


def _one(found: list[_Candidate], why: Why) -> Resolved:
    """One item, or (notices) the owed ones of one burst; else a choice."""
    if not found:
        return Resolved(Why.NONE)
    notices_only = all(c.item.kind is ItemKind.NOTICE for c in found)
    if len(found) == 1 or (notices_only and len({c.burst for c in found}) == 1
                           and len({c.item.class_id for c in found}) == 1):
        return Resolved(why, items=tuple(c.item for c in found))
    return Resolved(Why.ASK, choices=tuple(c.item for c in found))


def _kinds(kind: Kinds) -> tuple[ItemKind, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


async def _candidates(uow: UnitOfWork, person_id: int, class_ids: Sequence[int],
                      kind: ItemKind, reading: Reading) -> list[_Candidate]:
    if kind is ItemKind.NOTICE:
        return await _notice_candidates(uow, person_id, class_ids)
    if kind is ItemKind.MEETING:
        return await _meeting_candidates(uow, person_id, class_ids)
    if kind is ItemKind.SIGNUP:
        return await _signup_candidates(uow, person_id, class_ids, reading)
    if kind is ItemKind.POLL:
        return await _poll_candidates(uow, person_id, class_ids)
    return []


async def resolve(uow: UnitOfWork, *, person_id: int, class_ids: Sequence[int], kind: Kinds,
                  reading: Reading, event: Event) -> Resolved:
    """The item(s) `reading` answers, following the rule in the module docstring. With
    several kinds the candidates of all of them compete under the same rule (a choice may
    then mix kinds)."""
    kinds = _kinds(kind)
    candidates = [c for k in kinds
                  for c in await _candidates(uow, person_id, class_ids, k, reading)]
    quoted = await _quoted(uow, event)
    if quoted is not None:
        for one in kinds:
            found = await _quoted_item(uow, quoted, one, class_ids, candidates)
            if found is not None:
                return Resolved(Why.QUOTED, items=(found,))
    if reading.numbers:
        return await _numbered(uow, reading.numbers, kinds, class_ids, candidates)
    if reading.topic:
        named = [c for c in candidates if any(w in c.words for w in reading.topic)]
        if named:
            return _one(_owed_or_all(named), Why.TOPIC)
    if event.chat.kind is ChatKind.PRIVATE:
        reminded = [c for c in _by_ref(candidates, await _last_reminder(uow, event)) if c.owed]
        if reminded:
            return _one(reminded, Why.REMINDER)
    owed = [c for c in candidates if c.owed]
    if owed:
        return _one(owed, Why.ONLY)
    changeable = (ItemKind.MEETING, ItemKind.SIGNUP, ItemKind.POLL)
    if len(candidates) == 1 and candidates[0].item.kind in changeable:
        return Resolved(Why.ONLY, items=(candidates[0].item,))  # a change of answer
    if kinds == (ItemKind.POLL,) and len(candidates) > 1:
        return Resolved(Why.ASK, choices=tuple(c.item for c in candidates))  # a change: which?
    notice_rows = [c for c in candidates if c.item.kind is ItemKind.NOTICE]
    if kinds == (ItemKind.NOTICE,) and notice_rows:
        # Everything acknowledged already: a second 收到 changes nothing, say so if asked.
        return Resolved(Why.ONLY, items=(notice_rows[-1].item,))
    return Resolved(Why.NONE, choices=tuple(c.item for c in candidates))


async def _quoted_item(uow: UnitOfWork, ref: tuple[str, int], kind: ItemKind,
                       class_ids: Sequence[int], candidates: list[_Candidate]) -> Item | None:
    ref_kind, ref_id = ref
    if ref_kind == BURST_REF:
        if kind is not ItemKind.NOTICE:
            return None
        burst = [c for c in candidates if c.item.kind is kind and c.burst == ref_id]
        return burst[0].item if len(burst) == 1 else None
    if ref_kind != kind.value:
        return None
    if kind is ItemKind.NOTICE:
        notice = await notices.get(uow, ref_id)
        ok = notice is not None and notice.class_id in class_ids and notice.publish_at <= uow.now
        return notice_item(notice) if ok and notice is not None else None
    if kind is ItemKind.SIGNUP:
        signup = await signups.get(uow, ref_id)
        return signup_item(signup) if signup and signup.class_id in class_ids else None
    if kind is ItemKind.POLL:
        poll = await polls.get(uow, ref_id)
        return poll_item(poll) if poll and poll.class_id in class_ids else None
    meeting = await uow.session.get(Meeting, ref_id)
    return meeting_item(meeting) if meeting and meeting.class_id in class_ids else None


async def _numbered(uow: UnitOfWork, numbers: Sequence[int], kinds: tuple[ItemKind, ...],
                    class_ids: Sequence[int], candidates: list[_Candidate]) -> Resolved:
    """Items by number in the person's classes; a number two classes (or two kinds) share is
    asked about unless exactly one of them is owed."""
    found: list[Item] = []
    for number in numbers:
        matches: list[Item] = []
        for kind in kinds:
            for class_id in class_ids:
                item = await _by_number(uow, kind, class_id, number)
                if item is not None:
                    matches.append(item)
        if len(matches) > 1:
            owed = [c.item for c in candidates if c.item in matches and c.owed]
            if len(owed) != 1:
                return Resolved(Why.ASK, choices=tuple(matches))
            matches = owed
        found += matches
    return Resolved(Why.NUMBER, items=tuple(found)) if found else Resolved(Why.NONE)


async def _by_number(uow: UnitOfWork, kind: ItemKind, class_id: int, number: int) -> Item | None:
    if kind is ItemKind.NOTICE:
        notice = await notices.by_number(uow, class_id, number)
        # Held for quiet hours: nobody has seen it, so it cannot be acknowledged yet.
        if notice is None or notice.publish_at > uow.now:
            return None
        return notice_item(notice)
    if kind is ItemKind.SIGNUP:
        signup = await signups.by_number(uow, class_id, number)
        return signup_item(signup) if signup else None
    if kind is ItemKind.POLL:
        poll = await polls.by_number(uow, class_id, number)
        return poll_item(poll) if poll else None
    if kind is not ItemKind.MEETING:
        return None
    meeting = (await uow.session.scalars(select(Meeting).where(
        Meeting.class_id == class_id, Meeting.number == number))).first()
    return meeting_item(meeting) if meeting else None


# --- sign-ups (issue 12 part 1) ------------------------------------------------------------


def signup_item(signup: SignupList) -> Item:
    return Item(ItemKind.SIGNUP, signup.id, signup.class_id, signup.number, signup.title)


async def _signup_candidates(uow: UnitOfWork, person_id: int, class_ids: Sequence[int],
                             reading: Reading) -> list[_Candidate]:
    """A join (参加, 报名, +1, 接龙) may mean any list still taking names, owed when the family
    is not on it yet; a withdrawal (-1, 取消报名, 去不了) only a list the family is on. A maybe
    or a weak word (可能去, 去) never joins a list."""
    if reading.weak or reading.rsvp not in (Rsvp.YES, Rsvp.NO):
        return []
    out: list[_Candidate] = []
    for signup in await signups.open_lists(uow, class_ids):
        mine = await signups.on_list(uow, signup, person_id)
        if reading.rsvp is Rsvp.NO and not mine:
            continue
        owed = mine if reading.rsvp is Rsvp.NO else not mine
        out.append(_Candidate(signup_item(signup), owed, signup.title, signup.id))
    return out


async def class_names(uow: UnitOfWork, class_ids: Sequence[int]) -> dict[int, str]:
    """Through the directory (roster.class_of_id): asked after every acknowledgement."""
    found = [await roster.class_of_id(uow, class_id) for class_id in dict.fromkeys(class_ids)]
    return {c.id: c.name for c in found if c is not None}
