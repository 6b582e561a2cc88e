"""Time slots (预约), issue 12 part 2: offering slots, booking the way parents type, one slot
per family (a change frees the old one), capacity per slot, reminders before each booked slot,
the private schedule, and two families racing for one slot."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.channels.memory import PRIVATE, Sent
from core.channel import Capabilities
from core.reading.answers import SlotIntent, read_slot
from models import Person, Slot, SlotBoard
from services import slots
from services.slots import BookStatus
from services.uow import UnitOfWork
from tests.harness import CLASS, Harness, make_config

TALKS = "#预约 面谈 12月10日 14:00-15:00 每15分钟 | 地点 三楼办公室"
OPEN_DAY = "#预约 开放日 12月12日 9:00 10:00 11:00 | 每段2户"


def group(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if not s.private]


async def told(h: Harness, who: str, text: str) -> str:
    sent = await h.say(who, CLASS, text)
    assert group(sent) == [], "bookings are never a group message"
    [answer] = [s for s in sent if s.private and s.where == who]
    return answer.text


async def schedule(h: Harness, number: int = 1) -> str:
    [answer] = await h.say("王老师", PRIVATE, f"#预约情况 {number}")
    return answer.text


# --- reading -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number", "hour", "minute", "pm", "day", "changed"), [
    ("预约 14:30", None, 14, 30, None, None, False),
    ("约下午2点半", None, 2, 30, True, None, False),
    ("我想预约 3点", None, 3, 0, None, None, False),
    ("改约 15:00", None, 15, 0, None, None, True),
    ("预约 2 14:30", 2, 14, 30, None, None, False),
    ("预约 12月10日 14:15", None, 14, 15, None, 10, False),
    ("老师，我预约 10号 下午两点", None, 2, 0, True, 10, False),
    ("换到3点一刻", None, 3, 15, None, None, True),
    ("我想约明天下午3点", None, 3, 0, True, None, False),
    ("预约14点30", None, 14, 30, None, None, False),
])
def test_booking_words(text: str, number: int | None, hour: int, minute: int, pm: bool | None,
                       day: int | None, changed: bool) -> None:
    words = read_slot(text)
    assert words is not None and words.intent is SlotIntent.BOOK, text
    assert (words.number, words.hour, words.minute, words.pm, words.day, words.changed) == (
        number, hour, minute, pm, day, changed)


def test_cancel_and_not_booking_words() -> None:
    assert read_slot("取消预约") is not None and read_slot("取消预约").intent is SlotIntent.CANCEL
    for text in ("预约几点？", "预约面谈", "大家好", "约好了吗", "收到"):
        assert read_slot(text) is None, text


# --- offering ---------------------------------------------------------------------------------

async def test_a_range_is_cut_into_slots_and_posted(bound: Harness) -> None:
    [card] = await bound.say("王老师", CLASS, TALKS)
    assert card.where == CLASS and "【预约 #1】面谈" in card.text and "三楼办公室" in card.text
    for span in ("14:00-14:15", "14:15-14:30", "14:30-14:45", "14:45-15:00"):
        assert f"12月10日（周四）{span}（余 1）" in card.text, card.text


async def test_a_list_of_times_with_a_capacity_per_slot(bound: Harness) -> None:
    [card] = await bound.say("王老师", CLASS, OPEN_DAY)
    assert "09:00-10:00（余 2）" in card.text and "11:00-12:00（余 2）" in card.text
    assert "【预约 #1】开放日" in card.text


async def test_an_offer_without_a_day_is_explained(bound: Harness) -> None:
    [answer] = await bound.say("王老师", CLASS, "#预约 面谈 14:00-15:00")
    assert "哪一天" in answer.text


# --- booking -----------------------------------------------------------------------------------

async def test_book_change_and_the_old_slot_is_freed(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TALKS)
    assert "已预约" in await told(bound, "李明妈妈", "预约 14:30")
    assert "已经约满" in await told(bound, "张华爸爸", "约下午2点半")
    changed = await told(bound, "李明妈妈", "改约 2点")
    assert "已改约" in changed and "14:30-14:45 已释放" in changed, changed
    assert "已预约" in await told(bound, "张华爸爸", "预约 14:30")
    text = await schedule(bound)
    assert "14:00-14:15：李明妈妈" in text and "14:30-14:45：张华爸爸" in text, text
    assert text.count("李明妈妈") == 1 and "已约 2/4" in text


async def test_several_families_per_slot_up_to_its_capacity(bound: Harness) -> None:
    await bound.say("王老师", CLASS, OPEN_DAY)
    assert "已预约" in await told(bound, "李明妈妈", "预约 9点")
    assert "已预约" in await told(bound, "张华爸爸", "预约 9:00")
    assert "已经约满" in await told(bound, "赵雪爸爸", "预约 9:00")
    assert "09:00-10:00：李明妈妈、张华爸爸" in await schedule(bound)


async def test_a_family_allowed_two_slots_keeps_both(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#预约 开放日 12月12日 9:00 10:00 11:00 | 每户2个")
    await told(bound, "李明妈妈", "预约 9:00")
    await told(bound, "李明妈妈", "预约 10:00")
    assert "每户可约的 2 个时段" in await told(bound, "李明妈妈", "预约 11:00")
    assert (await schedule(bound)).count("李明妈妈") == 2


async def test_cancel_frees_the_slot(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TALKS)
    await told(bound, "李明妈妈", "预约 14:30")
    assert "已取消" in await told(bound, "李明妈妈", "取消预约")
    assert "李明妈妈" not in await schedule(bound)
    assert "没有可以取消" in await told(bound, "李明妈妈", "取消预约")


async def test_a_time_no_slot_has_lists_the_free_ones(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TALKS)
    answer = await told(bound, "李明妈妈", "预约 16:00")
    assert "没有这个时段" in answer and "14:45-15:00（余 1）" in answer


async def test_two_boards_the_time_decides_or_the_family_is_asked(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TALKS)
    await bound.say("王老师", CLASS, "#预约 面谈补约 12月11日 14:00-15:00 每30分钟")
    assert "预约 #1「面谈」" in await told(bound, "李明妈妈", "预约 14:15")
    asked = await told(bound, "张华爸爸", "预约 14:00")
    assert "哪一个预约" in asked and "预约 #1" in asked and "预约 #2" in asked, asked
    assert "预约 #2「面谈补约」" in await told(bound, "张华爸爸", "预约 2 14:00")


async def test_a_button_books_like_a_typed_time(db_path) -> None:
    h = await Harness(make_config(db_path), capabilities=Capabilities(
        buttons=True, private_needs_contact=False)).start()
    try:
        await h.setup_class()
        [card] = await h.say("王老师", CLASS, TALKS)
        button = card.out.buttons[1]
        assert button.label == "14:15" and button.action == "#预约 1 10号 14:15"
        assert group(await h.say("李明妈妈", CLASS, button.label, action=button.action)) == []
        [text] = await h.say("王老师", PRIVATE, "#预约情况")
        assert "14:15-14:30：李明妈妈" in text.text, text.text
    finally:
        await h.stop()


# --- reminders ---------------------------------------------------------------------------------

async def test_each_booked_family_is_reminded_before_its_slot(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TALKS)
    await told(bound, "李明妈妈", "预约 14:30")
    await told(bound, "李明妈妈", "改约 14:00")  # the 14:30 reminder must not go out
    await told(bound, "张华爸爸", "预约 14:45")
    first = await bound.at("2026-12-10 13:00")
    [to_li] = [s for s in first if s.where == "李明妈妈"]
    assert to_li.private and "14:00-14:15" in to_li.text and "三楼办公室" in to_li.text
    assert not any(s.where == "张华爸爸" for s in first)
    second = await bound.at("2026-12-10 13:50")
    assert [s.where for s in second] == ["张华爸爸"]
    assert not any(s.where == "李明妈妈" for s in await bound.at("2026-12-10 14:00"))


# --- two families at once ----------------------------------------------------------------------

async def _person(h: Harness, name: str) -> int:
    async with h.db().session() as session:
        return int(await session.scalar(select(Person.id).where(Person.display_name == name)))


async def test_two_families_racing_for_one_slot(bound: Harness) -> None:
    """Two units of work book the same one-seat slot at once: exactly one gets it. On
    PostgreSQL both have read the free slot before either writes; SQLite's units of work take
    the write lock when they begin, so there the second waits for the first as a whole."""
    await bound.say("王老师", CLASS, TALKS)
    ids = [await _person(bound, name) for name in ("李明妈妈", "张华爸爸")]
    started = asyncio.Event()
    ready: list[int] = []

    async def one(person_id: int) -> BookStatus:
        async with UnitOfWork(bound.db(), bound.clock, bound.config) as uow:
            board = (await uow.session.scalars(select(SlotBoard))).one()
            slot = (await uow.session.scalars(select(Slot).order_by(Slot.starts_at))).first()
            assert slot is not None
            await slots.schedule(uow, board)
            ready.append(person_id)
            if len(ready) == 2:
                started.set()
            if not bound.db().is_sqlite:
                await started.wait()
            return (await slots.book(uow, board, slot, person_id)).status

    statuses = await asyncio.gather(*(one(i) for i in ids))
    assert sorted(statuses) == [BookStatus.FULL, BookStatus.NEW]
    text = await schedule(bound)
    assert "14:00-14:15：李明妈妈" in text or "14:00-14:15：张华爸爸" in text, text
    assert "已约 1/4" in text


async def test_the_weekly_update_lists_open_boards(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TALKS)
    await told(bound, "李明妈妈", "预约 14:30")
    [preview] = await bound.say("王老师", PRIVATE, "#本周动态")
    assert "预约 #1「面谈」：已约 1/4" in preview.text, preview.text
