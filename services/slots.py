"""Time slots (预约): boards of slots families book, one slot per family unless allowed.

No double booking without a lock: a booking takes a numbered seat of its slot (1..capacity)
and a numbered turn of its family on the board (1..per_family), and the table's unique
constraints make an insert that finds either taken a no-op (models/signups.py). Two families
racing for the last seat: one insert wins, the other finds every seat taken and is told the
slot is full. A change of slot frees the old one in the same unit of work, inside a savepoint,
so a change to a full slot keeps the old booking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from core.reading.answers import SlotWords
from models import ClassMembership, Slot, SlotBoard, SlotBooking
from models.base import storable
from services import guardians, roster, sets
from services.sql import insert_unless_taken
from services.uow import UnitOfWork

REMIND_JOB = "slot_remind"
MAX_SLOTS = 60


class BookStatus(StrEnum):
    NEW = "new"
    CHANGED = "changed"  # the family's other slot was freed
    SAME = "same"  # this very slot was theirs already
    FULL = "full"
    LIMIT = "limit"  # the family holds as many slots as the board allows
    PAST = "past"  # the slot has begun
    CLOSED = "closed"
    NOT_GUARDIAN = "not_guardian"


@dataclass(frozen=True)
class BookResult:
    status: BookStatus
    slot: Slot | None = None
    old: Slot | None = None  # the slot freed by a change
    booking_id: int | None = None

    @property
    def recorded(self) -> bool:
        return self.status in (BookStatus.NEW, BookStatus.CHANGED, BookStatus.SAME)


@dataclass(frozen=True)
class SlotLine:
    slot: Slot
    names: tuple[str, ...]

    @property
    def free(self) -> int:
        return max(self.slot.capacity - len(self.names), 0)


@dataclass(frozen=True)
class Schedule:
    board: SlotBoard
    lines: tuple[SlotLine, ...]

    @property
    def booked(self) -> int:
        return sum(len(line.names) for line in self.lines)

    @property
    def seats(self) -> int:
        return sum(line.slot.capacity for line in self.lines)


class _Full(Exception):
    """The new slot had no seat: the savepoint (and the freed old slot) is rolled back."""


# --- boards --------------------------------------------------------------------------------


async def create(uow: UnitOfWork, *, class_id: int, author_id: int, title: str, place: str,
                 times: Sequence[tuple[datetime, datetime]], capacity: int,
                 per_family: int) -> SlotBoard:
    number = ((await uow.session.scalar(select(func.max(SlotBoard.number)).where(
        SlotBoard.class_id == class_id))) or 0) + 1
    board = SlotBoard(class_id=class_id, number=number, title=title, place=place,
                      per_family=per_family, status="open", author_id=author_id,
                      created_at=uow.now)
    uow.session.add(board)
    await uow.session.flush()
    for starts_at, ends_at in sorted(set(times))[:MAX_SLOTS]:
        uow.session.add(Slot(board_id=board.id, starts_at=starts_at, ends_at=ends_at,
                             capacity=capacity))
    await uow.session.flush()
    return board


async def get(uow: UnitOfWork, board_id: int) -> SlotBoard | None:
    return await uow.session.get(SlotBoard, board_id)


async def by_number(uow: UnitOfWork, class_id: int, number: int) -> SlotBoard | None:
    if not storable(number):
        return None
    return (await uow.session.scalars(select(SlotBoard).where(
        SlotBoard.class_id == class_id, SlotBoard.number == number))).first()


async def latest(uow: UnitOfWork, class_id: int) -> SlotBoard | None:
    return (await uow.session.scalars(select(SlotBoard).where(
        SlotBoard.class_id == class_id).order_by(SlotBoard.number.desc()))).first()


async def slots_of(uow: UnitOfWork, board: SlotBoard) -> list[Slot]:
    return list((await uow.session.scalars(select(Slot).where(
        Slot.board_id == board.id).order_by(Slot.starts_at))).all())


async def open_boards(uow: UnitOfWork, class_ids: Sequence[int]) -> list[SlotBoard]:
    """Boards still taking bookings: open, with a slot that has not begun."""
    ahead = select(Slot.id).where(Slot.board_id == SlotBoard.id, Slot.starts_at > uow.now)
    return list((await uow.session.scalars(select(SlotBoard).where(
        sets.among(uow.session, SlotBoard.class_id, class_ids), SlotBoard.status == "open",
        ahead.exists())
        .order_by(SlotBoard.class_id, SlotBoard.number))).all())


async def schedule(uow: UnitOfWork, board: SlotBoard) -> Schedule:
    """Every slot with the families booked into it, in time order."""
    return (await schedules(uow, [board]))[board.id]


async def schedules(uow: UnitOfWork, boards: Sequence[SlotBoard],
                    students: Mapping[int, Mapping[int, str]] | None = None
                    ) -> dict[int, Schedule]:
    """board id → `schedule`, for many boards in three statements (the bookings, the slots,
    and the classes' students unless the caller has them: class id → student id → name)."""
    if not boards:
        return {}
    board_ids = [b.id for b in boards]
    if students is None:
        students = await roster.names_by_class(uow, [b.class_id for b in boards])
    session = uow.session
    rows = await sets.rows(session,
        select(SlotBooking.id, SlotBooking.slot_id, SlotBooking.student_id,
               SlotBooking.person_id, SlotBoard.class_id, ClassMembership.relation)
        .join(SlotBoard, SlotBoard.id == SlotBooking.board_id)
        .outerjoin(ClassMembership, (ClassMembership.person_id == SlotBooking.person_id)
                   & (ClassMembership.student_id == SlotBooking.student_id)
                   & (ClassMembership.class_id == SlotBoard.class_id)
                   # said twice: PostgreSQL then reads these classes' rows by index
                   & sets.among(session, ClassMembership.class_id,
                                dict.fromkeys(b.class_id for b in boards)))
        .where(sets.among(session, SlotBooking.board_id, board_ids))
        .order_by(SlotBooking.id))
    # A booking is named by its child; the person's own name only when the child has left
    # the roster (read for those bookings alone).
    people = await guardians.person_names(uow, (
        person_id for _, _, student_id, person_id, class_id, _ in rows
        if student_id not in students[class_id]))
    names: dict[int, list[str]] = {}
    seen: set[int] = set()
    for booking_id, slot_id, student_id, person_id, class_id, relation in rows:
        if booking_id in seen:
            continue
        seen.add(booking_id)
        child = students[class_id].get(student_id)
        names.setdefault(slot_id, []).append(
            f"{child}{relation or ''}" if child else people.get(person_id, ""))
    slots: dict[int, list[Slot]] = {board_id: [] for board_id in board_ids}
    for slot in (await uow.session.scalars(select(Slot).where(
            sets.among(uow.session, Slot.board_id, board_ids)).order_by(Slot.starts_at))).all():
        slots[slot.board_id].append(slot)
    return {b.id: Schedule(b, tuple(SlotLine(slot, tuple(names.get(slot.id, ())))
                                    for slot in slots[b.id])) for b in boards}


# --- matching what a parent wrote ------------------------------------------------------------


def matching(slots: Sequence[Slot], words: SlotWords, tz: str) -> list[Slot]:
    """The slots a written time names: the hour as written, or 12 later when no 上午/下午 was
    said (`3点` at a 14:00-17:00 board is 15:00); a written day narrows it."""
    if words.hour is None:
        return []
    hours = {words.hour}
    if words.pm is True and words.hour < 12:
        hours = {words.hour + 12}
    elif words.pm is None and words.hour < 12:
        hours.add(words.hour + 12)
    out = []
    for slot in slots:
        local = slot.starts_at.astimezone(ZoneInfo(tz))
        if local.hour not in hours or local.minute != words.minute:
            continue
        if words.day is not None and local.day != words.day:
            continue
        if words.month is not None and local.month != words.month:
            continue
        out.append(slot)
    return out


# --- booking -------------------------------------------------------------------------------


async def _family(uow: UnitOfWork, board: SlotBoard, person_id: int) -> int | None:
    students = await guardians.students_of_guardian(uow, board.class_id, person_id)
    return students[0] if students else None


async def bookings_of(uow: UnitOfWork, board: SlotBoard, student_id: int) -> list[SlotBooking]:
    return list((await uow.session.scalars(select(SlotBooking).where(
        SlotBooking.board_id == board.id, SlotBooking.student_id == student_id)
        .order_by(SlotBooking.turn))).all())


async def _take_seat(uow: UnitOfWork, board: SlotBoard, slot: Slot, student_id: int,
                     person_id: int, turn: int) -> int | None:
    for seat in range(1, slot.capacity + 1):
        new_id = await insert_unless_taken(uow.session, SlotBooking, {
            "board_id": board.id, "slot_id": slot.id, "student_id": student_id,
            "person_id": person_id, "seat": seat, "turn": turn, "booked_at": uow.now})
        if new_id is not None:
            return new_id
    return None


async def book(uow: UnitOfWork, board: SlotBoard, slot: Slot, person_id: int) -> BookResult:
    """Book `slot` for this family; with one slot per family a booking elsewhere is moved."""
    if board.status != "open":
        return BookResult(BookStatus.CLOSED, slot)
    if slot.starts_at <= uow.now:
        return BookResult(BookStatus.PAST, slot)
    student_id = await _family(uow, board, person_id)
    if student_id is None:
        return BookResult(BookStatus.NOT_GUARDIAN, slot)
    held = await bookings_of(uow, board, student_id)
    if any(b.slot_id == slot.id for b in held):
        return BookResult(BookStatus.SAME, slot)
    turns = {b.turn for b in held}
    free_turn = next((t for t in range(1, board.per_family + 1) if t not in turns), None)
    if free_turn is not None:
        new_id = await _take_seat(uow, board, slot, student_id, person_id, free_turn)
        if new_id is None:
            return BookResult(_why_not(held, board), slot)
        return BookResult(BookStatus.NEW, slot, booking_id=new_id)
    if board.per_family != 1:
        return BookResult(BookStatus.LIMIT, slot)
    old = held[0]
    old_slot = await uow.session.get(Slot, old.slot_id)
    try:
        async with uow.session.begin_nested():
            await uow.session.execute(delete(SlotBooking).where(SlotBooking.id == old.id))
            new_id = await _take_seat(uow, board, slot, student_id, person_id, old.turn)
            if new_id is None:
                raise _Full
    except _Full:
        return BookResult(BookStatus.FULL, slot)
    uow.session.expunge(old)
    return BookResult(BookStatus.CHANGED, slot, old=old_slot, booking_id=new_id)


def _why_not(held: list[SlotBooking], board: SlotBoard) -> BookStatus:
    """Every seat was taken — unless the family's own turn went to a booking made at the same
    moment from another of its accounts."""
    return BookStatus.LIMIT if len(held) >= board.per_family else BookStatus.FULL


async def cancel(uow: UnitOfWork, board: SlotBoard, person_id: int) -> list[Slot]:
    """Give up the family's bookings on the board (those not begun); returns the freed slots."""
    student_id = await _family(uow, board, person_id)
    if student_id is None:
        return []
    freed = []
    for booking in await bookings_of(uow, board, student_id):
        slot = await uow.session.get(Slot, booking.slot_id)
        if slot is not None and slot.starts_at > uow.now:
            await uow.session.execute(delete(SlotBooking).where(SlotBooking.id == booking.id))
            freed.append(slot)
    return freed


async def reminder_due(uow: UnitOfWork, booking_id: int,
                       slot_id: int) -> tuple[SlotBooking, Slot, SlotBoard] | None:
    """The booking a reminder job is about, if it still stands in that slot (a change or a
    cancellation deletes it; a new row may reuse its id on SQLite, in another slot)."""
    booking = await uow.session.get(SlotBooking, booking_id)
    if booking is None or booking.slot_id != slot_id:
        return None
    slot = await uow.session.get(Slot, booking.slot_id)
    board = await uow.session.get(SlotBoard, booking.board_id)
    if slot is None or board is None or slot.starts_at <= uow.now:
        return None
    return booking, slot, board


def remind_at(uow: UnitOfWork, slot: Slot) -> datetime | None:
    """When the booked family is reminded; None when that moment has passed already."""
    at = slot.starts_at - timedelta(minutes=uow.config.slots.remind_minutes_before)
    return at if at > uow.now else None

