"""Deleting a person's data on request (#注销, #删除家庭, `classbot forget`).

What goes: their registration (memberships), their platform accounts (identities), their
open questions, the messages queued or kept for their private chats, and the personal text
they wrote (mailbox letters and additions become "（家长已注销）", meeting reasons and a named
survey's free-text answers are dropped). Their name is replaced wherever the bot's own messages
quoted it. What stays: the family's acknowledgements, RSVPs, check-ins, votes and survey
scores, as counts per child, so the class's figures stay true — they point at a person row that
no longer holds a name. Every deletion leaves an audit line without personal data
(services/audit.py).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, delete, or_, select, update

from models import (
    ClassMembership,
    Identity,
    InboundMessage,
    MeetingRsvp,
    OutboxMessage,
    PendingQuestion,
    Person,
    ScheduledJob,
    SchoolClass,
    SchoolRole,
    SurveyResponse,
    Ticket,
    TicketEntry,
)
from services import audit, roster
from services.surveys import SKIPPED
from services.uow import UnitOfWork

GONE = "（已注销）"
LETTER_GONE = "（家长已注销）"
STUDENT_GONE = "（已删除）"


@dataclass
class Forgotten:
    counts: Counter[str] = field(default_factory=Counter)
    secrets: list[str] = field(default_factory=list)  # names and texts to scrub everywhere


async def _forget_survey_texts(uow: UnitOfWork, person: Person, done: Forgotten) -> None:
    """A named (实名) survey's free-text answers are the person's own words: dropped (the
    question counts as passed); the scores and choices stay, counted for the family. (An
    anonymous survey's responses keep no person, so there is nothing to tie to them.)"""
    for response in (await uow.session.scalars(select(SurveyResponse).where(
            SurveyResponse.person_id == person.id))).all():
        kept: dict[str, Any] = {}
        for index, value in response.answers.items():
            if isinstance(value, str) and value != SKIPPED:
                done.secrets.append(value)
                value = SKIPPED
            kept[index] = value
        response.answers = kept


async def _forget_one(uow: UnitOfWork, person: Person, done: Forgotten) -> None:
    accounts = list((await uow.session.scalars(select(Identity).where(
        Identity.person_id == person.id))).all())
    done.secrets += [person.display_name, *(a.display_name for a in accounts),
                     *(a.external_id for a in accounts)]
    chats = [(a.channel, c) for a in accounts for c in {a.private_chat_id, a.external_id} if c]
    for channel, chat_id in chats:
        for table in (OutboxMessage, InboundMessage, PendingQuestion):
            gone = await uow.session.execute(delete(table).where(
                table.channel == channel, table.chat_id == chat_id))
            done.counts["private_messages"] += _rows(gone) if table is OutboxMessage else 0
    await uow.session.execute(delete(PendingQuestion).where(
        PendingQuestion.person_id == person.id))
    for ticket in (await uow.session.scalars(select(Ticket).where(
            Ticket.sender_id == person.id))).all():
        done.secrets.append(ticket.body)
        ticket.body = LETTER_GONE
        done.counts["letters"] += 1
        for entry in (await uow.session.scalars(select(TicketEntry).where(
                TicketEntry.ticket_id == ticket.id, TicketEntry.by == "parent"))).all():
            if entry.text:
                done.secrets.append(entry.text)
                entry.text = LETTER_GONE
    for rsvp in (await uow.session.scalars(select(MeetingRsvp).where(
            MeetingRsvp.person_id == person.id, MeetingRsvp.reason != ""))).all():
        done.secrets.append(rsvp.reason)
        rsvp.reason = ""
    await _forget_survey_texts(uow, person, done)
    done.counts["registrations"] += _rows(await uow.session.execute(
        delete(ClassMembership).where(ClassMembership.person_id == person.id)))
    await uow.session.execute(delete(SchoolRole).where(SchoolRole.person_id == person.id))
    for account in accounts:
        await uow.session.delete(account)
    done.counts["accounts"] += len(accounts)
    person.display_name = GONE
    done.counts["people"] += 1


def _rows(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _scrub_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, GONE)
    return text


def _scrub_value(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return _scrub_text(value, secrets)
    if isinstance(value, list):
        return [_scrub_value(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_value(v, secrets) for k, v in value.items()}
    return value


async def _scrub_everywhere(uow: UnitOfWork, secrets: list[str]) -> None:
    """The bot's own messages and due work that quoted a name or text: replaced in place.
    Longest first, so 李明妈妈 goes as a whole before 李明 would split it."""
    secrets = sorted({s for s in secrets if s and s.strip()}, key=len, reverse=True)
    if not secrets:
        return
    quoted = or_(*(OutboxMessage.text.contains(s, autoescape=True) for s in secrets),
                 *(OutboxMessage.chat_title.contains(s, autoescape=True) for s in secrets),
                 OutboxMessage.mentions.cast(String) != "[]")
    for row in (await uow.session.scalars(select(OutboxMessage).where(quoted))).all():
        row.text = _scrub_text(row.text, secrets)
        row.chat_title = _scrub_text(row.chat_title, secrets)
        row.mentions = _scrub_value(list(row.mentions), secrets)
    for job in (await uow.session.scalars(select(ScheduledJob).where(
            ScheduledJob.payload.cast(String) != "{}"))).all():
        if any(s in json.dumps(job.payload, ensure_ascii=False) for s in secrets):
            job.payload = _scrub_value(dict(job.payload), secrets)


async def forget_people(uow: UnitOfWork, people: list[Person], *, by: str,
                        class_id: int | None, action: str = "forget_person",
                        extra_secrets: list[str] | None = None) -> Counter[str]:
    done = Forgotten()
    done.secrets += extra_secrets or []
    for person in people:
        await _forget_one(uow, person, done)
    await _scrub_everywhere(uow, done.secrets)
    await audit.record(uow, action, by=by, class_id=class_id, counts=dict(done.counts))
    await uow.session.flush()
    return done.counts


async def forget_person(uow: UnitOfWork, person_id: int, *, by: str,
                        class_id: int | None) -> Counter[str]:
    person = await uow.session.get(Person, person_id)
    if person is None:
        return Counter()
    return await forget_people(uow, [person], by=by, class_id=class_id)


@dataclass(frozen=True)
class FamilyDeleted:
    found: bool
    name: str
    guardians: int = 0
    choices: list[str] = field(default_factory=list)


async def delete_family(uow: UnitOfWork, school_class: SchoolClass, name: str, *,
                        by: str) -> FamilyDeleted:
    """#删除家庭 李明: every guardian the child ever had in the class is forgotten, and the
    child leaves the roster under a name that is no name."""
    student = await roster.student(uow, school_class.id, name)
    if student is None:
        namesakes = await roster.same_named(uow, school_class.id, name)
        return FamilyDeleted(False, name, choices=[s.name for s in namesakes])
    people = list((await uow.session.scalars(
        select(Person).join(ClassMembership, ClassMembership.person_id == Person.id)
        .where(ClassMembership.student_id == student.id).distinct())).all())
    shown = student.name
    await forget_people(uow, people, by=by, class_id=school_class.id, action="delete_family",
                        extra_secrets=[shown])
    await roster.remove_student(uow, student)
    student.name = f"{STUDENT_GONE}{student.id}"
    await uow.session.flush()
    return FamilyDeleted(True, shown, len(people))


async def sweep_chat(uow: UnitOfWork, channel: str, chat_id: str) -> bool:
    """What was sent to a forgotten person's private chat after the deletion (the farewell):
    gone once delivered. False while something is still waiting to go out."""
    waiting = await uow.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id,
        OutboxMessage.status.in_(("pending", "sending"))))
    if waiting is not None:
        return False
    for table in (OutboxMessage, InboundMessage, PendingQuestion):
        await uow.session.execute(delete(table).where(table.channel == channel,
                                                      table.chat_id == chat_id))
    return True


async def clear_payload(uow: UnitOfWork, job_id: int) -> None:
    """A finished sweep forgets which chat it was about (the chat id may be a name)."""
    await uow.session.execute(update(ScheduledJob).where(ScheduledJob.id == job_id)
                              .values(payload={}))


async def people_named(uow: UnitOfWork, name: str) -> list[Person]:
    """For the command line: people by the name the bot knows them by (or `#<id>`)."""
    if name.startswith("#") and name[1:].isdigit():
        found = await uow.session.get(Person, int(name[1:]))
        return [found] if found else []
    by_account = select(Identity.person_id).where(Identity.display_name == name)
    return list((await uow.session.scalars(select(Person).where(
        or_(Person.display_name == name, Person.id.in_(by_account)))
        .order_by(Person.id))).all())
