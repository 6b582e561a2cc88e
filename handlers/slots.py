"""Time slots (预约): a teacher offers slots, families book one, the teacher sees the schedule.

Offering: `#预约 面谈 12月10日 14:00-17:00 每15分钟 | 地点 三楼办公室` (a range cut into slots),
or a list of start times (`#预约 开放日 12月12日 9:00 10:00 11:00 | 每段5户`); `每段N户` is
the capacity of each slot (default 1), `每户N个` lets a family hold several. Booking:
`预约 14:30`, `约下午2点半`, `改约 15:00`, `预约 2 14:30` (board 2), or the card's button;
`取消预约` gives it up. A family holds one slot unless the board allows more, so a new time
moves its booking and frees the old slot. Each booked family is reminded privately before its
slot; `#预约情况` shows the schedule privately. Everything sent respects quiet hours (outbox).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field

from core.events import Button, ChatKind
from core.permissions import COMMITTEE, FAMILIES, STAFF
from core.reading.answers import SlotIntent, SlotWords, read_slot
from core.timeparse import TimeParseError, parse_when_async
from kit.context import MemberContext, Messenger, PersonContext
from kit.router import Args, Command, NumberArgs, Phrase, Router, Scope
from models import ScheduledJob, SlotBoard
from services import cards, jobs, keys, outbox, roster, slots
from services.outbox import Kind as OutKind
from services.reach import post_to_groups, tell_person
from services.slots import BookStatus

ORGANISERS = STAFF | {COMMITTEE}
MAX_BUTTONS = 12
_RANGE = re.compile(r"(上午|下午|晚上)?\s*(\d{1,2})(?:[:：点](\d{2})?)\s*(?:-|~|～|—|到|至)\s*"
                    r"(上午|下午|晚上)?\s*(\d{1,2})(?:[:：点](\d{2})?)")
_CLOCK = re.compile(r"(上午|下午|晚上)?\s*(\d{1,2})[:：](\d{2})")
_STEP = re.compile(r"每\s*(\d{1,3})\s*分钟?")
_CAPACITY = re.compile(r"每(?:段|个时段|时段|场|节)\s*(\d{1,3})\s*(?:户|家|人|位|组)")
_PER_FAMILY = re.compile(r"每(?:户|家)(?:可约|可以约|限约|限)?\s*(\d{1,2})\s*(?:个|次|段)")
_PLACE = re.compile(r"^(?:地点|在|地址)[\s:：]*(.+)$")
_DATE = re.compile(r"(?:(\d{4})[-/年])?(\d{1,2})\s*(?:月|-|/)\s*(\d{1,2})\s*(?:日|号)?")
_DAY_WORD = re.compile(r"今天|明天|后天|(?:下+|本|这)?(?:周|星期|礼拜)[一二三四五六日天]")
_BOARD_ONLY = re.compile(r"^#?\s*(\d{1,3})$")


class SlotArgs(Args):
    """What follows `#预约`: slots to offer (a teacher), or a time to book (a family)."""

    text: str = Field(default="", max_length=1000)

    @classmethod
    def from_text(cls, rest: str) -> SlotArgs:
        return cls(text=rest.strip())

    @property
    def offers(self) -> bool:
        """Several times (a range, or two start times or more): slots being offered."""
        return bool(_RANGE.search(self.text) or len(_CLOCK.findall(self.text)) >= 2)


def _hour(period: str | None, hour: int) -> int:
    return hour + 12 if period in ("下午", "晚上") and hour < 12 else hour


async def _day(ctx: MemberContext, text: str) -> tuple[date | None, str]:
    """The day the slots are on, and the text without it."""
    tz = ZoneInfo(ctx.tz)
    if found := _DATE.search(text):
        today = ctx.uow.now.astimezone(tz).date()
        year = int(found.group(1)) if found.group(1) else today.year
        try:
            day = date(year, int(found.group(2)), int(found.group(3)))
        except ValueError:
            return None, text
        if not found.group(1) and day < today:
            day = date(year + 1, day.month, day.day)
        return day, text[:found.start()] + " " + text[found.end():]
    if found := _DAY_WORD.search(text):
        try:
            parsed = await parse_when_async(found.group(0), ctx.uow.now, tz)
        except TimeParseError:
            return None, text
        return parsed.at.astimezone(tz).date(), text[:found.start()] + " " + text[found.end():]
    return None, text


def _times(text: str, day: date, tz: str) -> tuple[list[tuple[datetime, datetime]], str]:
    """The slots a range (cut by 每N分钟, default 30) or a list of start times names."""
    zone = ZoneInfo(tz)
    step = timedelta(minutes=int(m.group(1))) if (m := _STEP.search(text)) else None
    text = _STEP.sub(" ", text)
    out: list[tuple[datetime, datetime]] = []
    if found := _RANGE.search(text):
        start = datetime.combine(day, time(_hour(found.group(1), int(found.group(2))),
                                           int(found.group(3) or 0)), zone)
        end_period = found.group(4) or found.group(1)
        end = datetime.combine(day, time(_hour(end_period, int(found.group(5))) % 24,
                                         int(found.group(6) or 0)), zone)
        length = step or timedelta(minutes=30)
        while start + length <= end and len(out) < slots.MAX_SLOTS:
            out.append((start, start + length))
            start += length
        return out, text[:found.start()] + " " + text[found.end():]
    starts = [datetime.combine(day, time(_hour(p, int(h)) % 24, int(m)), zone)
              for p, h, m in _CLOCK.findall(text)]
    starts.sort()
    for i, start in enumerate(starts):
        gap = starts[i + 1] - start if i + 1 < len(starts) else None
        length = step or gap or (starts[i] - starts[i - 1] if i else timedelta(minutes=30))
        out.append((start, start + length))
    return out, _CLOCK.sub(" ", text)


async def _create(ctx: MemberContext, args: SlotArgs) -> None:
    parts = [p.strip() for p in re.split(r"[|｜\n]", args.text) if p.strip()]
    capacity, per_family, place = 1, 1, ""
    rest: list[str] = []
    for part in parts:
        if found := _CAPACITY.search(part):
            capacity = int(found.group(1))
            part = (part[:found.start()] + part[found.end():]).strip()
        if found := _PER_FAMILY.search(part):
            per_family = int(found.group(1))
            part = (part[:found.start()] + part[found.end():]).strip()
        if found := _PLACE.match(part):
            place = found.group(1).strip()
        elif part:
            rest.append(part)
    head = rest[0] if rest else ""
    day, head = await _day(ctx, head)
    if day is None:
        await ctx.reply("slots/bad_offer", text=args.text, problem="day")
        return
    times, head = _times(head, day, ctx.tz)
    times = [t for t in times if t[0] > ctx.uow.now]
    if not times:
        await ctx.reply("slots/bad_offer", text=args.text, problem="times")
        return
    if not place and len(rest) > 1:
        place = rest[1]
    title = " ".join(head.split()) or ctx.render("slots/default_title").strip()
    board = await slots.create(ctx.uow, class_id=ctx.school_class.id, author_id=ctx.person.id,
                               title=title[:100], place=place[:100], times=times,
                               capacity=max(capacity, 1), per_family=max(per_family, 1))
    schedule = await slots.schedule(ctx.uow, board)
    groups = await post_to_groups(ctx, class_id=board.class_id, key=keys.slot_card(board.id),
                                  text=ctx.render("slots/card", schedule=schedule, tz=ctx.tz),
                                  kind=OutKind.NOTICE, ref=("slot", board.id),
                                  buttons=slot_buttons(schedule, ctx.tz))
    if ctx.event.chat.kind is ChatKind.PRIVATE or not groups:
        await ctx.reply("slots/created", schedule=schedule, groups=groups, tz=ctx.tz)


def slot_buttons(schedule: slots.Schedule, tz: str) -> tuple[Button, ...]:
    """One button per slot (the first few), labelled with its local time; pressing it sends
    `#预约 <board> <day>号 <time>`, which books like a typed time."""
    out = []
    for line in schedule.lines[:MAX_BUTTONS]:
        local = line.slot.starts_at.astimezone(ZoneInfo(tz))
        out.append(Button(local.strftime("%H:%M"),
                          f"#预约 {schedule.board.number} {local.day}号 {local:%H:%M}"))
    return tuple(out)


# --- booking -------------------------------------------------------------------------------


async def slots_command(ctx: MemberContext, args: SlotArgs) -> None:
    """An organiser offering several times creates a board; anything else books."""
    if args.offers and ctx.roles & ORGANISERS:
        await _create(ctx, args)
        return
    if found := _BOARD_ONLY.match(args.text):
        board = await slots.by_number(ctx.uow, ctx.school_class.id, int(found.group(1)))
        await _show_free(ctx, board, number=int(found.group(1)))
        return
    words = read_slot("预约 " + args.text)
    if words is None:
        await ctx.reply_usage("slots")
        return
    await _booking(ctx, words)


async def _show_free(ctx: PersonContext, board: SlotBoard | None, *, number: int | None) -> None:
    if board is None:
        await ctx.tell_quietly("slots/not_found", number=number)
        return
    await ctx.tell_quietly("slots/free", schedule=await slots.schedule(ctx.uow, board),
                tz=await _tz(ctx, board))


def is_slot_words(text: str) -> bool:
    return read_slot(text) is not None


async def slot_phrase(ctx: PersonContext, text: str) -> None:
    words = read_slot(text)
    if words is not None:
        await _booking(ctx, words)


async def _tz(m: Messenger, board: SlotBoard) -> str:
    return m.tz_of(await roster.class_of_id(m.uow, board.class_id))


async def _board_for(ctx: PersonContext, words: SlotWords) -> SlotBoard | None:
    """The board a booking means: its number; the card it quotes; else the open boards whose
    slots the written time fits — exactly one, or the family is asked to add the number."""
    class_ids = await ctx.answering_classes()
    if words.number is not None:
        for class_id in class_ids:
            if (board := await slots.by_number(ctx.uow, class_id, words.number)) is not None:
                return board
        await ctx.tell_quietly("slots/not_found", number=words.number)
        return None
    if ctx.event.reply_to:
        ref = await outbox.find_reference(ctx.uow, ctx.event.channel, ctx.event.chat.chat_id,
                                          ctx.event.reply_to)
        if ref is not None and ref[0] == "slot":
            quoted = await slots.get(ctx.uow, ref[1])
            if quoted is not None and quoted.class_id in class_ids:
                return quoted
    boards = await slots.open_boards(ctx.uow, class_ids)
    if words.intent is SlotIntent.BOOK and len(boards) > 1:
        fitting = [b for b in boards
                   if slots.matching(await slots.slots_of(ctx.uow, b), words, await _tz(ctx, b))]
        boards = fitting or boards
    if len(boards) == 1:
        return boards[0]
    if not boards:
        await ctx.tell_quietly("slots/not_found", number=None)
        return None
    await ctx.tell_quietly("slots/which_board", boards=boards, text=ctx.event.text)
    return None


async def _booking(ctx: PersonContext, words: SlotWords) -> None:
    board = await _board_for(ctx, words)
    if board is None:
        return
    tz = await _tz(ctx, board)
    if words.intent is SlotIntent.CANCEL:
        freed = await slots.cancel(ctx.uow, board, ctx.person.id)
        await ctx.tell_quietly("slots/cancelled", board=board, freed=freed, tz=tz)
        if freed:
            await _refresh(ctx, board)
        return
    found = slots.matching(await slots.slots_of(ctx.uow, board), words, tz)
    if len(found) != 1:
        await ctx.tell_quietly("slots/no_such_slot", schedule=await slots.schedule(ctx.uow, board),
                    several=len(found) > 1, text=ctx.event.text, tz=tz)
        return
    result = await slots.book(ctx.uow, board, found[0], ctx.person.id)
    if result.status in (BookStatus.NEW, BookStatus.CHANGED) and result.booking_id:
        at = slots.remind_at(ctx.uow, found[0])
        if at is not None:
            minutes = ctx.uow.config.slots.remind_minutes_before
            await jobs.schedule(ctx.uow, kind=slots.REMIND_JOB, due_at=at,
                                key=keys.slot_reminder(result.booking_id, found[0].id, minutes),
                                ref_id=result.booking_id, class_id=board.class_id,
                                payload={"slot_id": found[0].id})
        await _refresh(ctx, board)
    values: dict[str, object] = {"board": board, "result": result, "tz": tz}
    if result.status is BookStatus.FULL:
        values["schedule"] = await slots.schedule(ctx.uow, board)
    await ctx.tell_quietly("slots/booked", **values)


async def _refresh(m: Messenger, board: SlotBoard) -> None:
    """The card shows which slots are left (edited in place where the platform can)."""
    schedule = await slots.schedule(m.uow, board)
    await cards.refresh(m.uow, keys.posts_of(keys.slot_card(board.id)),
                        m.render("slots/card", schedule=schedule, tz=await _tz(m, board)))


async def cancel_command(ctx: MemberContext, args: NumberArgs) -> None:
    await _booking(ctx, SlotWords(SlotIntent.CANCEL, args.number))


# --- the organiser, and reminders ------------------------------------------------------------


async def schedule_command(ctx: MemberContext, args: NumberArgs) -> None:
    """#预约情况: every slot with who booked it, privately."""
    board = (await slots.by_number(ctx.uow, ctx.school_class.id, args.number) if args.number
             else await slots.latest(ctx.uow, ctx.school_class.id))
    if board is None:
        await ctx.reply("slots/not_found", number=args.number, private=True)
        return
    await ctx.reply("slots/schedule", schedule=await slots.schedule(ctx.uow, board), tz=ctx.tz,
                    private=True)


async def remind(m: Messenger, job: ScheduledJob) -> None:
    """Before a booked slot: a private reminder to the family that booked it (if it still
    stands: a changed or cancelled booking has gone)."""
    due = await slots.reminder_due(m.uow, job.ref_id or 0,
                                   int(str(job.payload.get("slot_id", 0))))
    if due is None:
        return
    booking, slot, board = due
    await tell_person(m, booking.person_id, key=job.dedupe_key, class_id=board.class_id,
                      ref=("slot", board.id), hold=True,
                      text=m.render("slots/reminder", board=board, slot=slot,
                                    tz=await _tz(m, board)))


router = Router(
    commands=(
        Command("slots", ("预约",), ("book",), slots_command, SlotArgs,
                roles=ORGANISERS | FAMILIES, bare=False),
        Command("slot_schedule", ("预约情况",), ("bookings",), schedule_command, NumberArgs,
                roles=ORGANISERS),
        Command("slot_cancel", ("取消预约",), ("unbook",), cancel_command, NumberArgs,
                roles=FAMILIES, bare=False),
    ),
    phrases=(Phrase("slot_words", is_slot_words, slot_phrase, roles=FAMILIES,
                    needs_class=False, scope=Scope.ANY),),
    jobs={slots.REMIND_JOB: remind},
)
