"""The contact record (issue 13, part 1): #家访, #必访, #联系册, #家访情况 and the monthly
reminder of gaps, all private to the class's teachers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.channels.memory import PRIVATE
from handlers.record import MustVisitArgs, VisitArgs
from kit.router import UsageError
from services.contact_log import default_term
from tests.harness import CLASS, Harness, make_config


def test_visit_arguments() -> None:
    args = VisitArgs.from_text("李明 电访 | 谈了作业 | 父母离异 | 每周联系 | 希望多表扬")
    assert (args.student, args.kind, args.process, args.family, args.next_steps,
            args.parent_opinion) == ("李明", "phone", "谈了作业", "父母离异", "每周联系",
                                     "希望多表扬")
    assert VisitArgs.from_text("李明 | 上门看了看").kind == "home", "上门 by default"
    for bad in ("李明", "李明 上门", "李明 出差 | 过程", "| 过程"):
        with pytest.raises(UsageError):
            VisitArgs.from_text(bad)


def test_must_visit_arguments() -> None:
    assert MustVisitArgs.from_text("").student is None
    args = MustVisitArgs.from_text("李明 单亲、违纪 单亲家庭")
    assert args.categories == ["单亲家庭", "经常违纪"] and not args.remove
    assert MustVisitArgs.from_text("李明 取消 违纪").remove
    with pytest.raises(UsageError):
        MustVisitArgs.from_text("李明 调皮")


def test_default_terms() -> None:
    assert default_term(date(2026, 12, 1)).name == "2026秋"
    assert default_term(date(2027, 1, 20)).name == "2026秋"
    assert default_term(date(2027, 3, 1)).name == "2027春"


async def test_a_visit_is_recorded_and_shows_in_the_timeline(bound: Harness) -> None:
    [answer] = await bound.say("王老师", PRIVATE,
                               "#家访 李明 上门 | 了解假期安排 | 奶奶接送 | 每周电话沟通")
    assert "已记入家校联系册：李明，上门家访" in answer.text and "已家访 1/3" in answer.text
    await bound.say("李明妈妈", PRIVATE, "#匿名投诉 食堂太咸")
    await bound.say("李明妈妈", PRIVATE, "#建议 多开放图书室")
    await bound.say("李明妈妈", PRIVATE, "#私信 王老师 孩子明天请假")
    await bound.say("王老师", PRIVATE, "#私信 李明妈妈 好的，收到")
    await bound.say("张华爸爸", PRIVATE, "#私信 王老师 张华的事")
    [book] = await bound.say("王老师", PRIVATE, "#联系册 李明")
    assert "上门家访（王老师）：了解假期安排；家庭情况：奶奶接送；下一步：每周电话沟通" \
        in book.text
    assert "X-0002" in book.text and "X-0001" not in book.text, "never an anonymous letter"
    assert "私信往来：2 条" in book.text, book.text
    assert "孩子明天请假" not in book.text and "食堂" not in book.text


async def test_must_visit_students_and_coverage(bound: Harness) -> None:
    [tagged] = await bound.say("王老师", PRIVATE, "#必访 张华 单亲 违纪")
    assert "经常违纪、单亲家庭" in tagged.text and "每 2 周" in tagged.text
    [listing] = await bound.say("王老师", PRIVATE, "#必访")
    assert "张华：经常违纪、单亲家庭（每 2 周），上次联系：还没有" in listing.text
    await bound.say("王老师", PRIVATE, "#家访 李明 上门 | 看望")
    await bound.say("王老师", PRIVATE, "#家访 张华 电访 | 电话沟通")
    [cover] = await bound.say("王老师", PRIVATE, "#家访情况")
    assert "已家访 1/3" in cover.text and "还没有家访：张华、赵雪" in cover.text, \
        "a call is contact but no home visit"
    assert "必访学生都在规定时间内联系过" in cover.text
    await bound.at("2026-12-20 09:00")
    [cover] = await bound.say("王老师", PRIVATE, "#家访情况")
    assert "• 张华（经常违纪、单亲家庭，每 2 周）：上次 12月1日" in cover.text


async def test_the_record_is_for_teachers_only_and_private(bound: Harness) -> None:
    [refused] = await bound.say("李明妈妈", PRIVATE, "#联系册 李明")
    assert "只有班主任、任课老师可以使用" in refused.text
    [pointer] = await bound.say("王老师", CLASS, "#家访 李明 上门 | 看望")
    assert not pointer.private and "私聊" in pointer.text
    [unknown] = await bound.say("王老师", PRIVATE, "#联系册 李敏")
    assert "名单里没有「李敏」" in unknown.text and "李明、张华、赵雪" in unknown.text


async def test_monthly_reminder_of_gaps_on_the_first_school_day(tmp_path: Path) -> None:
    config = make_config(tmp_path / "db.sqlite", quiet_hours={"start": "21:30", "end": "08:30"})
    h = await Harness(config, start="2026-12-01 09:00").start()
    try:
        await h.setup_class()
        await h.say("王老师", PRIVATE, "#家访 李明 上门 | 看望")
        h.channel.clear()
        # January 2027 starts on a Friday: the reminder is due at 08:00, after quiet hours.
        assert await h.at("2027-01-01 08:10") == []
        [reminder] = [s for s in await h.at("2027-01-01 08:30") if "【每月提醒】" in s.text]
        assert reminder.where == "王老师" and reminder.private
        assert "还没有家访：张华、赵雪" in reminder.text
        assert await h.at("2027-01-02 09:00") == [], "once a month"
        sent = [s for s in await h.at("2027-02-01 09:00") if "【每月提醒】" in s.text]
        assert [s.where for s in sent] == ["王老师"], "and again next month"
    finally:
        await h.stop()
