"""Exports and the term archive (存档): one sheet each for notices with per-family read status,
meetings with answers and attendance, minutes, the mailbox, home visits, the weekly update
items, and polls and surveys; as XLSX (openpyxl) or as one CSV per sheet. The archive adds the
minutes and the weekly updates as plain text.

Privacy: an anonymous letter's row carries no sender at all (the sender cell says it was
anonymous), so the file never names who wrote it; likewise an anonymous poll's voters and every
survey's respondents. Sheet names, headers and cell words come from
templates/<lang>/export/_sheets.j2 (the language's words, like every user-visible text).

`collect` reads the database inside a unit of work; writing is blocking file I/O, so async
callers run `write` in a thread.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.config import Term
from models import (
    ClassUpdateItem,
    Meeting,
    MeetingCheckin,
    MeetingRsvp,
    Notice,
    NoticeAck,
    Person,
    SchoolClass,
    SignupEntry,
    SignupList,
    SlotBoard,
    Ticket,
)
from services import contact_log, guardians, polls, signups, slots, surveys
from services.uow import UnitOfWork

FORMATS = ("xlsx", "csv")


@dataclass
class Sheet:
    key: str  # notices | meetings | minutes | mailbox | visits | updates | signups | polls
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Export:
    class_name: str
    term: str  # the term's name, or the word for "everything"
    sheets: list[Sheet]
    minutes_text: str = ""  # the archive's texts (rendered by the caller)
    updates_text: str = ""


def _local(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if value else ""


def _within(term: Term | None, tz: str) -> tuple[datetime | None, datetime | None]:
    if term is None:
        return None, None
    start = contact_log.local_start(term.start, tz)
    end = contact_log.local_start(term.end, tz).replace(hour=23, minute=59, second=59)
    return start, end


def _in(value: datetime | None, span: tuple[datetime | None, datetime | None]) -> bool:
    start, end = span
    return value is not None and (start is None or value >= start) and (
        end is None or value <= end)


async def _names(uow: UnitOfWork, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = (await uow.session.execute(select(Person.id, Person.display_name).where(
        Person.id.in_(ids)))).all()
    return {person_id: name for person_id, name in rows}


async def collect(uow: UnitOfWork, school_class: SchoolClass, term: Term | None,
                  labels: Mapping[str, Any]) -> Export:
    """Every sheet of the class's record, within the term when one is given."""
    tz, span = school_class.timezone, _within(term, school_class.timezone)
    sheets: dict[str, Any] = labels["SHEETS"]
    words: dict[str, Any] = labels["WORDS"]
    families = await guardians.families(uow, school_class.id)

    def sheet(key: str) -> Sheet:
        return Sheet(key, sheets[key]["title"], list(sheets[key]["columns"]))

    notices_sheet = sheet("notices")
    for notice in (await uow.session.scalars(select(Notice).where(
            Notice.class_id == school_class.id).order_by(Notice.number))).all():
        if not _in(notice.publish_at, span):
            continue
        acks = {a.student_id: a for a in (await uow.session.scalars(select(NoticeAck).where(
            NoticeAck.notice_id == notice.id))).all()}
        names = await _names(uow, {a.person_id for a in acks.values()})
        for family in families:
            ack = acks.get(family.student_id)
            notices_sheet.rows.append([
                str(notice.number), notice.title, _local(notice.publish_at, tz), family.student,
                words["yes"] if ack else words["no"], _local(ack.acked_at, tz) if ack else "",
                names.get(ack.person_id, "") if ack else ""])

    meetings_sheet, minutes_sheet = sheet("meetings"), sheet("minutes")
    for meeting in (await uow.session.scalars(select(Meeting).where(
            Meeting.class_id == school_class.id).order_by(Meeting.number))).all():
        if not _in(meeting.starts_at, span):
            continue
        rsvps = {r.student_id: r for r in (await uow.session.scalars(select(MeetingRsvp).where(
            MeetingRsvp.meeting_id == meeting.id))).all()}
        present = set((await uow.session.scalars(select(MeetingCheckin.student_id).where(
            MeetingCheckin.meeting_id == meeting.id))).all())
        for family in families:
            rsvp = rsvps.get(family.student_id)
            meetings_sheet.rows.append([
                str(meeting.number), meeting.kind, meeting.topic, _local(meeting.starts_at, tz),
                meeting.place, words["status"].get(meeting.status, meeting.status),
                family.student, words["answers"].get(rsvp.answer, "") if rsvp else "",
                str(rsvp.heads) if rsvp and rsvp.answer != "no" else "",
                rsvp.reason if rsvp else "",
                words["yes"] if family.student_id in present else words["no"]])
        if meeting.minutes:
            minutes_sheet.rows.append([str(meeting.number), meeting.kind, meeting.topic,
                                       _local(meeting.starts_at, tz), meeting.minutes])

    mailbox_sheet = sheet("mailbox")
    tickets = [t for t in (await uow.session.scalars(select(Ticket).where(
        Ticket.class_id == school_class.id).order_by(Ticket.created_at, Ticket.id))).all()
        if _in(t.created_at, span)]
    senders = await _names(uow, {t.sender_id for t in tickets if not t.anonymous})
    for ticket in tickets:
        mailbox_sheet.rows.append([
            ticket.code, words["categories"].get(ticket.category, ticket.category),
            words["ticket_status"].get(ticket.status, ticket.status),
            _local(ticket.created_at, tz),
            words["anonymous"] if ticket.anonymous else senders.get(ticket.sender_id, ""),
            ticket.body, ticket.result or "",
            words["ratings"].get(ticket.rating, "") if ticket.rating else ""])

    visits_sheet = sheet("visits")
    student_names = {f.student_id: f.student for f in families}
    for contact in await contact_log.contacts(uow, class_id=school_class.id,
                                              since=span[0], until=span[1]):
        e = contact.entry
        visits_sheet.rows.append([
            _local(e.created_at, tz), student_names.get(e.student_id, ""),
            words["kinds"].get(e.kind, e.kind), contact.author, e.process, e.family,
            e.next_steps, e.parent_opinion])

    updates_sheet = sheet("updates")
    items = (await uow.session.execute(
        select(ClassUpdateItem, Person.display_name)
        .join(Person, Person.id == ClassUpdateItem.author_id)
        .where(ClassUpdateItem.class_id == school_class.id)
        .order_by(ClassUpdateItem.created_at))).all()
    for item, author in items:
        if _in(item.created_at, span):
            updates_sheet.rows.append([_local(item.created_at, tz), author, item.text,
                                       _local(item.posted_at, tz)])

    signups_sheet = sheet("signups")
    await _signup_rows(uow, school_class, span, words, signups_sheet)

    polls_sheet = sheet("polls")
    polls_sheet.rows = await _polls_rows(uow, school_class, span, words)

    return Export(school_class.name, term.name if term else words["all_terms"],
                  [notices_sheet, meetings_sheet, minutes_sheet, mailbox_sheet, visits_sheet,
                   updates_sheet, signups_sheet, polls_sheet])


# --- sign-ups and slots (issue 12 parts 1, 2; issue 13 part 5 asks for sign-up sheets) ------


async def _signup_rows(uow: UnitOfWork, school_class: SchoolClass,
                       span: tuple[datetime | None, datetime | None], words: Mapping[str, Any],
                       out: Sheet) -> None:
    """One row per family line of every 接龙 (in list order, the waiting list marked), then
    one per booked slot of every 预约 board (in time order)."""
    tz = school_class.timezone
    for signup in (await uow.session.scalars(select(SignupList).where(
            SignupList.class_id == school_class.id).order_by(SignupList.number))).all():
        if not _in(signup.created_at, span):
            continue
        standing = await signups.standing(uow, signup)
        joined = {e.id: e.joined_at for e in (await uow.session.scalars(select(SignupEntry).where(
            SignupEntry.list_id == signup.id))).all()}
        for line in standing.lines:
            out.rows.append([
                words["signup"], str(signup.number), signup.title, line.name, str(line.heads),
                line.note, words["waiting"] if line.waiting else words["confirmed"],
                _local(joined.get(line.entry_id), tz)])
    for board in (await uow.session.scalars(select(SlotBoard).where(
            SlotBoard.class_id == school_class.id).order_by(SlotBoard.number))).all():
        if not _in(board.created_at, span):
            continue
        for slot_line in (await slots.schedule(uow, board)).lines:
            start, end = slot_line.slot.starts_at, slot_line.slot.ends_at
            for name in slot_line.names:
                out.rows.append([
                    words["slot"], str(board.number), board.title, name, "1",
                    f"{_local(start, tz)}-{_local(end, tz)[-5:]}", words["booked"],
                    _local(start, tz)])


# --- polls and surveys (issue 12; issue 13 part 5) -----------------------------------------


async def _polls_rows(uow: UnitOfWork, school_class: SchoolClass,
                      span: tuple[datetime | None, datetime | None],
                      words: Mapping[str, Any]) -> list[list[str]]:
    """One row per poll option (voters named only for a named poll: an anonymous poll has no
    names to give), one per survey question (counts only, no breakdown below 5 answers, never
    a name), and a survey's total of finished and partial responses."""
    tz, w = school_class.timezone, words["polls"]
    rows: list[list[str]] = []
    for poll in await polls.in_class(uow, school_class.id):
        if not _in(poll.created_at, span):
            continue
        tally = await polls.tally(uow, poll)
        head = [w["poll"], str(poll.number), poll.question, _local(poll.created_at, tz),
                w["status"].get(poll.status, poll.status),
                words["yes"] if poll.anonymous else words["no"]]
        for index, option, votes, percent in tally.rows:
            voters = words["anonymous"] if poll.anonymous else "、".join(tally.names[index])
            rows.append([*head, f"{chr(ord('A') + index)}. {option}", str(votes),
                         f"{percent}%", voters])
    for survey in await surveys.in_class(uow, school_class.id):
        if not _in(survey.created_at, span):
            continue
        summary = await surveys.summary(uow, survey)
        head = [w["survey"], str(survey.number), survey.title, _local(survey.created_at, tz),
                w["status"].get(survey.status, survey.status),
                words["yes"] if survey.anonymous else words["no"]]
        rows.append([*head, w["total"], str(summary.answered),
                     f"{w['complete']} {summary.complete} · {w['partial']} {summary.partial}",
                     ""])
        for q in summary.questions:
            rows.append([*head, f"{q.index + 1}. {q.text}", str(q.answered), _result(q, w), ""])
    return rows


def _result(q: surveys.QuestionSummary, w: Mapping[str, Any]) -> str:
    if not q.shown:
        return str(w["too_few"])
    if q.kind == "scale":
        counts = " · ".join(f"{n + 1}{w['points']} {c}" for n, c in enumerate(q.counts))
        return f"{w['average']} {q.average} · {counts}"
    if q.kind == "choice":
        return " · ".join(f"{chr(ord('A') + i)}. {o} {q.counts[i]}"
                          for i, o in enumerate(q.options))
    return " / ".join(q.texts)


def write_xlsx(export: Export, path: Path) -> Path:
    """One sheet per part; headers bold and frozen, columns wide enough to read."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for part in export.sheets:
        sheet = book.create_sheet(part.title[:31])
        sheet.append(part.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in part.rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for i, title in enumerate(part.header):
            longest = max([len(title), *(len(r[i]) for r in part.rows if i < len(r))])
            sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width = min(
                60, 4 + 2 * longest)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_csv(export: Export, directory: Path) -> list[Path]:
    """One UTF-8 CSV per sheet (with a BOM, so Excel on Windows reads the Chinese)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for part in export.sheets:
        path = directory / f"{part.title}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(part.header)
            writer.writerows(part.rows)
        written.append(path)
    return written


def write(export: Export, out: Path, fmt: str, *, archive: bool = False) -> list[Path]:
    """Write the export: `out` is the XLSX file, or the folder for CSV files. The archive
    puts the export, the minutes and the weekly updates (as text) in the folder `out`."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if archive:
        out.mkdir(parents=True, exist_ok=True)
        texts = []
        for name, text in (("minutes", export.minutes_text), ("updates", export.updates_text)):
            path = out / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            texts.append(path)
        files = (write_csv(export, out / "sheets") if fmt == "csv"
                 else [write_xlsx(export, out / "export.xlsx")])
        return files + texts
    return write_csv(export, out) if fmt == "csv" else [write_xlsx(export, out)]
