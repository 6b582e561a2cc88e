"""Polls (投票): numbered per class, one vote per family (or per person), changeable until close.

Which poll a vote means is services.answering (the one rule for every item families answer);
this module stores polls and votes and counts them. Anonymity is a property of the rows
(models/polls.py): an anonymous poll's votes keep only a salted digest of the family, so no
listing, export or log can show who voted what — `tally` has no names to give for one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select

from models import Poll, PollVote
from models.base import storable
from services import guardians, jobs, keys, sets
from services.guardians import Family
from services.uow import UnitOfWork

CLOSE_JOB = "poll_close"
MAX_OPTIONS = 10


async def create(uow: UnitOfWork, *, class_id: int, author_id: int, question: str,
                 options: Sequence[str], anonymous: bool, per_person: bool,
                 publish_results: bool, closes_at: datetime | None) -> Poll:
    number = ((await uow.session.scalar(
        select(func.max(Poll.number)).where(Poll.class_id == class_id))) or 0) + 1
    poll = Poll(class_id=class_id, number=number, question=question, options=list(options),
                anonymous=anonymous, per_person=per_person, publish_results=publish_results,
                salt=secrets.token_hex(16), status="open", closes_at=closes_at,
                author_id=author_id, created_at=uow.now)
    uow.session.add(poll)
    await uow.session.flush()
    if closes_at is not None:
        await jobs.schedule(uow, kind=CLOSE_JOB, key=keys.poll_close(poll.id), due_at=closes_at,
                            ref_id=poll.id, class_id=class_id)
    return poll


async def get(uow: UnitOfWork, poll_id: int) -> Poll | None:
    return await uow.session.get(Poll, poll_id)


async def by_number(uow: UnitOfWork, class_id: int, number: int) -> Poll | None:
    if not storable(number):
        return None
    return (await uow.session.scalars(select(Poll).where(
        Poll.class_id == class_id, Poll.number == number))).first()


async def open_polls(uow: UnitOfWork, class_ids: Sequence[int]) -> list[Poll]:
    return list((await uow.session.scalars(select(Poll).where(
        sets.among(uow.session, Poll.class_id, class_ids), Poll.status == "open")
        .order_by(Poll.class_id, Poll.number))).all())


async def latest(uow: UnitOfWork, class_id: int, *, open_only: bool = False) -> Poll | None:
    """The newest poll of the class (the open one first when `open_only`)."""
    query = select(Poll).where(Poll.class_id == class_id)
    if open_only:
        query = query.where(Poll.status == "open")
    return (await uow.session.scalars(query.order_by(Poll.number.desc()))).first()


def _digest(poll: Poll, who: str) -> str:
    return hashlib.sha256(f"{poll.salt}:{who}".encode()).hexdigest()


async def voter_key(uow: UnitOfWork, poll: Poll, person_id: int) -> str | None:
    """The family (its first child in the class) or, for 每人一票, the person, as a digest;
    None when the person is no guardian in the poll's class."""
    students = await guardians.students_of_guardian(uow, poll.class_id, person_id)
    if not students:
        return None
    return _digest(poll, f"p:{person_id}" if poll.per_person else f"s:{min(students)}")


class VoteStatus(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    SAME = "same"
    CLOSED = "closed"
    NOT_GUARDIAN = "not_guardian"


@dataclass(frozen=True)
class VoteResult:
    status: VoteStatus
    option: int  # 0-based
    previous: int | None = None

    @property
    def recorded(self) -> bool:
        return self.status in (VoteStatus.NEW, VoteStatus.CHANGED, VoteStatus.SAME)


async def vote(uow: UnitOfWork, poll: Poll, person_id: int, option: int) -> VoteResult:
    """Record (or replace) the family's vote. Who voted is kept only in a named poll."""
    if poll.status != "open":
        return VoteResult(VoteStatus.CLOSED, option)
    key = await voter_key(uow, poll, person_id)
    if key is None:
        return VoteResult(VoteStatus.NOT_GUARDIAN, option)
    row = (await uow.session.scalars(select(PollVote).where(
        PollVote.poll_id == poll.id, PollVote.voter_key == key))).first()
    students = await guardians.students_of_guardian(uow, poll.class_id, person_id)
    named = {"person_id": None if poll.anonymous else person_id,
             "student_id": None if poll.anonymous else min(students)}
    if row is None:
        uow.session.add(PollVote(poll_id=poll.id, voter_key=key, option=option,
                                 voted_at=uow.now, **named))
        await uow.session.flush()
        return VoteResult(VoteStatus.NEW, option)
    previous = row.option
    row.option, row.voted_at = option, uow.now
    row.person_id, row.student_id = named["person_id"], named["student_id"]
    await uow.session.flush()
    return VoteResult(VoteStatus.SAME if previous == option else VoteStatus.CHANGED, option,
                      previous)


async def has_voted(uow: UnitOfWork, poll: Poll, person_id: int) -> bool:
    key = await voter_key(uow, poll, person_id)
    return key is not None and (await uow.session.scalar(select(PollVote.id).where(
        PollVote.poll_id == poll.id, PollVote.voter_key == key))) is not None


@dataclass
class PollTally:
    """Counts per option; `names` per option only for a named (实名) poll, else empty."""

    poll: Poll
    counts: list[int]
    voters: int
    eligible: int  # families (or guardians for 每人一票) who may vote
    names: list[list[str]] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[int, str, int, int]]:
        """(index, option, votes, percent of the votes cast)."""
        return [(i, option, self.counts[i],
                 round(100 * self.counts[i] / self.voters) if self.voters else 0)
                for i, option in enumerate(self.poll.options)]


async def tally(uow: UnitOfWork, poll: Poll) -> PollTally:
    families = await guardians.families(uow, poll.class_id)
    return (await tallies(uow, [poll], {poll.class_id: families}))[poll.id]


async def tallies(uow: UnitOfWork, polls: Sequence[Poll],
                  families: Mapping[int, list[Family]]) -> dict[int, PollTally]:
    """poll id → its tally, the votes of all `polls` read in one statement and the voters'
    names (named polls) in one more; `families`: class id → the class's families (who may
    vote)."""
    votes: dict[int, list[tuple[int, int | None]]] = {p.id: [] for p in polls}
    if polls:
        for poll_id, option, person_id in await sets.rows(uow.session, select(
                PollVote.poll_id, PollVote.option, PollVote.person_id)
                .where(sets.among(uow.session, PollVote.poll_id, votes))
                .order_by(PollVote.voted_at, PollVote.id)):
            votes[poll_id].append((option, person_id))
    people = await guardians.person_names(uow, (
        person_id for p in polls if not p.anonymous for _, person_id in votes[p.id]
        if person_id is not None))
    return {p.id: _tally_of(p, votes[p.id], families[p.class_id], people) for p in polls}


def _tally_of(poll: Poll, votes: list[tuple[int, int | None]], families: list[Family],
              people: Mapping[int, str]) -> PollTally:
    counts = [0] * len(poll.options)
    names: list[list[str]] = [[] for _ in poll.options]
    named = not poll.anonymous  # read once: a mapped attribute costs a call each time
    for option, person_id in votes:
        if 0 <= option < len(counts):
            counts[option] += 1
            if named and person_id is not None:
                names[option].append(people.get(person_id, ""))
    eligible = sum(len(f.guardians) for f in families) if poll.per_person else sum(
        1 for f in families if f.guardians)
    return PollTally(poll, counts, len(votes), eligible, [] if poll.anonymous else names)


async def close(uow: UnitOfWork, poll: Poll) -> bool:
    """Close an open poll (a second close changes nothing); returns whether it was open."""
    if poll.status != "open":
        return False
    poll.status, poll.closed_at = "closed", uow.now
    await jobs.cancel(uow, kind=CLOSE_JOB, ref_id=poll.id)
    await uow.session.flush()
    return True


async def in_class(uow: UnitOfWork, class_id: int, since: datetime | None = None,
                   until: datetime | None = None) -> list[Poll]:
    """The class's polls (created in [since, until) when given), oldest first: exports and
    reports."""
    query = select(Poll).where(Poll.class_id == class_id)
    if since is not None:
        query = query.where(Poll.created_at >= since)
    if until is not None:
        query = query.where(Poll.created_at < until)
    return list((await uow.session.scalars(query.order_by(Poll.number))).all())
