"""The class mailbox's use-cases: open, route, answer, transfer, close, rate, remind.

Privacy is decided here, not in templates: staff-facing lookups go through `handled_by`, parent
lookups through `sender_id`, and nothing returned for staff carries the sender of an anonymous
ticket. Logs name tickets by code only.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select

from core.permissions import PRINCIPAL
from core.school_time import add_hours
from models import ClassMembership, Person, Role, SchoolClass, Ticket, TicketEntry
from services import jobs, keys, membership
from services.uow import UnitOfWork

log = logging.getLogger(__name__)

SLA_JOB = "mailbox_sla"
CLASS, SCHOOL = "class", "school"
RATING_DAYS = 7  # how long the parent is asked to rate a handling result


class Status(StrEnum):
    RECEIVED = "received"  # 已收到
    PROCESSING = "processing"  # 处理中
    ANSWERED = "answered"  # 已答复
    TRANSFERRED = "transferred"  # 已转交
    RESOLVED = "resolved"  # 已解决


WAITING = (Status.RECEIVED, Status.PROCESSING, Status.TRANSFERRED)  # no answer yet: SLA runs


class Category(StrEnum):
    LETTER = "letter"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    QUESTION = "question"


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"


_CODE = re.compile(r"^(XZ|X)[-－]?(\d{1,6})$", re.I)


def parse_code(text: str) -> str | None:
    """'X-0012', 'x12', 'XZ-3' → the canonical code; None if it is not a ticket code."""
    found = _CODE.match(text.strip())
    if not found:
        return None
    return f"{found.group(1).upper()}-{int(found.group(2)):04d}"


# A letter number as people copy it: X-0001 (what staff messages show), x1, X－0001, #X-0001,
# X-0001号; with `numbers`, also the bare number of one's own letter: 1, #1, 1号, 第1封, １.
_REFERENCE = re.compile(r"^[#＃]?\s*(?:(XZ|X)\s*[-－]?\s*)?(\d{1,6})\s*(?:号|封)?(?:信|来信)?$",
                        re.I)
_ORDINAL = re.compile(r"^第\s*(\d{1,6})\s*(?:封|号)(?:信|来信)?$")
# A code inside free text ("X-0001怎么样了"): the dash, or at least two digits, tells it apart
# from an x in ordinary words.
_CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])(XZ|X)(?:\s*[-－]\s*(\d{1,6})|(\d{2,6}))(?!\d)",
                           re.I)


@dataclass(frozen=True)
class LetterRef:
    """A letter someone pointed at: its code, or only a number (matched among their own)."""

    code: str | None
    number: int | None

    @property
    def label(self) -> str:
        return self.code or str(self.number)


def parse_reference(text: str, *, numbers: bool) -> LetterRef | None:
    """The whole `text` names a letter (forms above); bare numbers only when `numbers`."""
    text = unicodedata.normalize("NFKC", text).strip()
    found = _REFERENCE.match(text) or _ORDINAL.match(text)
    if found is None:
        return None
    prefix = found.group(1) if found.re is _REFERENCE else None
    number = int(found.group(found.lastindex or 1))
    if prefix:
        return LetterRef(f"{prefix.upper()}-{number:04d}", None)
    return LetterRef(None, number) if numbers and number > 0 else None


def reference_in(text: str) -> LetterRef | None:
    """The first letter code anywhere in a free text (`X-0001 处理得怎么样了`), or None."""
    found = _CODE_IN_TEXT.search(unicodedata.normalize("NFKC", text))
    if found is None:
        return None
    return LetterRef(f"{found.group(1).upper()}-{int(found.group(2) or found.group(3)):04d}",
                     None)


# --- opening -------------------------------------------------------------------------------

async def open_ticket(uow: UnitOfWork, *, school_class: SchoolClass, sender_id: int,
                      category: Category, anonymous: bool, body: str,
                      attachments: list[str], to_school: bool) -> Ticket:
    series, prefix = ("school", "XZ") if to_school else (f"class:{school_class.id}", "X")
    number = ((await uow.session.scalar(select(func.max(Ticket.number)).where(
        Ticket.series == series))) or 0) + 1
    level = SCHOOL if to_school else CLASS
    ticket = Ticket(class_id=school_class.id, series=series, number=number,
                    code=f"{prefix}-{number:04d}", category=category, anonymous=anonymous,
                    sender_id=sender_id, body=body, attachments=attachments, origin=level,
                    level=level, status=Status.RECEIVED, sla_since=uow.now, created_at=uow.now,
                    updated_at=uow.now)
    uow.session.add(ticket)
    await uow.session.flush()
    await restart_sla(uow, ticket)
    log.info("mailbox: ticket %s opened (class %s, %s)", ticket.code, ticket.class_id, level)
    return ticket


def reply_due(uow: UnitOfWork, ticket: Ticket, tz: str, rounds: int = 1) -> Any:
    settings = uow.config.mailbox
    return add_hours(ticket.sla_since, settings.reply_within_hours * rounds, tz,
                     school_days_only=settings.school_days_only,
                     calendar=uow.config.school_days.calendar())


async def class_tz(uow: UnitOfWork, ticket: Ticket) -> str:
    school_class = await uow.session.get(SchoolClass, ticket.class_id)
    return school_class.timezone if school_class else uow.config.timezone


async def restart_sla(uow: UnitOfWork, ticket: Ticket) -> None:
    """(Re)start the reply clock: opened, reopened or transferred. Older reminders go stale."""
    await jobs.cancel(uow, kind=SLA_JOB, ref_id=ticket.id)
    ticket.sla_epoch += 1
    ticket.sla_since = uow.now
    tz = await class_tz(uow, ticket)
    await jobs.schedule(uow, kind=SLA_JOB, key=keys.ticket_sla(ticket.id, ticket.sla_epoch, 1),
                        due_at=reply_due(uow, ticket, tz), ref_id=ticket.id,
                        class_id=ticket.class_id, payload={"round": 1, "epoch": ticket.sla_epoch})


async def schedule_escalation(uow: UnitOfWork, ticket: Ticket) -> None:
    tz = await class_tz(uow, ticket)
    await jobs.schedule(uow, kind=SLA_JOB, key=keys.ticket_sla(ticket.id, ticket.sla_epoch, 2),
                        due_at=reply_due(uow, ticket, tz, rounds=2), ref_id=ticket.id,
                        class_id=ticket.class_id, payload={"round": 2, "epoch": ticket.sla_epoch})


# --- who handles a ticket ------------------------------------------------------------------

async def principals(uow: UnitOfWork) -> list[Person]:
    return await membership.people_with_school_role(uow, PRINCIPAL)


async def recipients(uow: UnitOfWork, ticket: Ticket) -> list[Person]:
    """Who must answer now: the assignee, else the principals or the class's head teacher."""
    if ticket.assignee_id is not None:
        person = await uow.session.get(Person, ticket.assignee_id)
        return [person] if person else []
    if ticket.level == SCHOOL:
        return await principals(uow)
    return await membership.head_teachers(uow, ticket.class_id)


async def handled_by(uow: UnitOfWork, person_id: int) -> Any:
    """A filter: the tickets this staff member may see and answer.

    Current recipients; the head teacher of the class for letters first sent to the class
    (not for #校长信箱 letters, which may be about them); principals for school-level and
    escalated (overdue) tickets."""
    head_of = select(ClassMembership.class_id).where(
        ClassMembership.person_id == person_id, membership.holding((Role.HEAD_TEACHER,)))
    clauses = [Ticket.assignee_id == person_id,
               (Ticket.origin == CLASS) & Ticket.class_id.in_(head_of)]
    if PRINCIPAL in await membership.school_roles(uow, person_id):
        clauses += [(Ticket.level == SCHOOL) & Ticket.assignee_id.is_(None), Ticket.escalated]
    return or_(*clauses)


async def for_staff(uow: UnitOfWork, person_id: int, *, code: str | None = None,
                    open_only: bool = False) -> list[Ticket]:
    stmt = select(Ticket).where(await handled_by(uow, person_id))
    if code is not None:
        stmt = stmt.where(Ticket.code == code)
    if open_only:
        stmt = stmt.where(Ticket.status != Status.RESOLVED)
    return list((await uow.session.scalars(stmt.order_by(Ticket.created_at, Ticket.id))).all())


async def for_parent(uow: UnitOfWork, person_id: int, *,
                     code: str | None = None) -> list[Ticket]:
    stmt = select(Ticket).where(Ticket.sender_id == person_id)
    if code is not None:
        stmt = stmt.where(Ticket.code == code)
    return list((await uow.session.scalars(stmt.order_by(Ticket.created_at.desc()))).all())


async def own_letter(uow: UnitOfWork, person_id: int, ref: LetterRef) -> Ticket | None:
    """The letter `ref` names among the ones this person wrote — never anyone else's, so the
    answer for another family's letter is the same as for one that does not exist."""
    stmt = select(Ticket).where(Ticket.sender_id == person_id)
    stmt = (stmt.where(Ticket.code == ref.code) if ref.code
            else stmt.where(Ticket.number == ref.number))
    found = (await uow.session.scalars(stmt.order_by(Ticket.series, Ticket.id))).all()
    return found[0] if len(found) == 1 or (found and ref.code) else None


async def sender_name(uow: UnitOfWork, ticket: Ticket) -> str | None:
    """The registered name to show staff; None for an anonymous ticket (never looked up)."""
    if ticket.anonymous:
        return None
    person = await uow.session.get(Person, ticket.sender_id)
    return person.display_name if person else None


# --- the thread ----------------------------------------------------------------------------

async def add_entry(uow: UnitOfWork, ticket: Ticket, kind: str, text: str = "", *,
                    staff_id: int | None = None) -> TicketEntry:
    entry = TicketEntry(ticket_id=ticket.id, kind=kind, by="staff" if staff_id else "parent",
                        staff_id=staff_id, text=text, created_at=uow.now)
    uow.session.add(entry)
    ticket.updated_at = uow.now
    await uow.session.flush()
    log.info("mailbox: ticket %s %s (entry %s)", ticket.code, kind, entry.id)
    return entry


@dataclass(frozen=True)
class ThreadLine:
    kind: str
    who: str  # a staff member's name, or "" for the parent (never their name)
    text: str
    at: Any
    rating: Rating | None = None  # for a rating entry; `text` is then the reason


def _line(entry: TicketEntry, name: str | None) -> ThreadLine:
    if entry.kind != "rating":
        return ThreadLine(entry.kind, name or "", entry.text, entry.created_at)
    rating, _, reason = entry.text.partition(" ")
    return ThreadLine(entry.kind, "", reason, entry.created_at, Rating(rating))


async def thread(uow: UnitOfWork, ticket: Ticket) -> list[ThreadLine]:
    rows = (await uow.session.execute(
        select(TicketEntry, Person.display_name)
        .outerjoin(Person, Person.id == TicketEntry.staff_id)
        .where(TicketEntry.ticket_id == ticket.id).order_by(TicketEntry.id))).all()
    return [_line(e, name) for e, name in rows]


async def reply(uow: UnitOfWork, ticket: Ticket, staff_id: int, text: str) -> None:
    await add_entry(uow, ticket, "reply", text, staff_id=staff_id)
    if ticket.status != Status.RESOLVED:
        ticket.status = Status.ANSWERED
    await jobs.cancel(uow, kind=SLA_JOB, ref_id=ticket.id)


async def close(uow: UnitOfWork, ticket: Ticket, staff_id: int, result: str) -> None:
    await add_entry(uow, ticket, "result", result, staff_id=staff_id)
    ticket.status = Status.RESOLVED
    ticket.result = result
    ticket.rating = None
    await jobs.cancel(uow, kind=SLA_JOB, ref_id=ticket.id)


async def rate(uow: UnitOfWork, ticket: Ticket, rating: Rating, reason: str) -> None:
    """A 不满意 reopens the ticket and restarts the reply clock."""
    ticket.rating = rating
    await add_entry(uow, ticket, "rating", f"{rating.value} {reason}".strip())
    if rating is Rating.UNSATISFIED:
        ticket.status = Status.PROCESSING
        ticket.reopened += 1
        await add_entry(uow, ticket, "reopen")
        await restart_sla(uow, ticket)


async def mark_seen(uow: UnitOfWork, ticket: Ticket, person_id: int) -> None:
    """A recipient opening a fresh ticket moves it to 处理中."""
    if ticket.status in (Status.RECEIVED, Status.TRANSFERRED) and person_id in {
            p.id for p in await recipients(uow, ticket)}:
        ticket.status = Status.PROCESSING
        ticket.updated_at = uow.now


# --- transfer ------------------------------------------------------------------------------

PRINCIPAL_WORDS = ("校长", "校长信箱", "学校", "principal")
HEAD_TEACHER_WORDS = ("班主任", "head teacher")


@dataclass(frozen=True)
class Target:
    level: str
    person: Person | None
    label: str


async def transfer_targets(uow: UnitOfWork, ticket: Ticket) -> list[str]:
    names = [p.display_name for p in await membership.staff_of_class(uow, ticket.class_id)]
    names += [p.display_name for p in await principals(uow)]
    return list(dict.fromkeys(["班主任", "校长", *names]))


async def find_target(uow: UnitOfWork, ticket: Ticket, word: str) -> Target | None:
    word = word.strip()
    if word.lower() in PRINCIPAL_WORDS:
        return Target(SCHOOL, None, "校长") if await principals(uow) else None
    if word.lower() in HEAD_TEACHER_WORDS:
        return Target(CLASS, None, "班主任")
    for person in await principals(uow):
        if person.display_name == word:
            return Target(SCHOOL, person, person.display_name)
    for person in await membership.staff_of_class(uow, ticket.class_id):
        if person.display_name == word:
            return Target(CLASS, person, person.display_name)
    return None


async def transfer(uow: UnitOfWork, ticket: Ticket, staff_id: int, target: Target) -> None:
    ticket.level = target.level
    ticket.assignee_id = target.person.id if target.person else None
    ticket.status = Status.TRANSFERRED
    await add_entry(uow, ticket, "transfer", target.label, staff_id=staff_id)
    await restart_sla(uow, ticket)
