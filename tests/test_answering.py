"""Which item an answer means (services/answering.py) and everyday answers applied (issue 10)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import Config
from models import MeetingRsvp
from tests.harness import CLASS, DEMO_CLASS, Harness, make_config
from tests.seeded import build_database, start_on_copy

NOTICE = "#通知 周五春游\n请带好水和帽子。"
FEE = "#通知 体检费缴费\n本周五前交120元。"
MEETING = "#家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结"
OTHER = "三年级一班"


async def unread(h: Harness, number: int) -> str:
    return (await h.say("王老师", CLASS, f"#未读 {number}"))[0].text


async def test_private_ack_after_a_reminder_means_the_reminded_notice(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 10:00")
    await bound.say("王老师", CLASS, FEE)
    reminders = await bound.at("2026-12-01 12:05")  # #1's reminder; #2 is still fresh
    assert any(s.where == "李明妈妈" and "周五春游" in s.text for s in reminders)
    [told] = await bound.say("李明妈妈", "私聊", "收到了")
    assert "#1" in told.text
    assert "已读 1/3" in await unread(bound, 1) and "已读 0/3" in await unread(bound, 2)


@pytest.mark.parametrize("text", ["收到 1号通知", "1收到", "收到第１条", "#收到 1", "收到#1"])
async def test_explicit_number_in_everyday_forms(bound: Harness, text: str) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 11:00")
    await bound.say("王老师", CLASS, FEE)
    assert await bound.say("李明妈妈", CLASS, text) == []
    assert "已读 1/3" in await unread(bound, 1) and "已读 0/3" in await unread(bound, 2)


async def test_title_words_name_the_notice(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 11:00")
    await bound.say("王老师", CLASS, FEE)
    assert await bound.say("李明妈妈", CLASS, "体检费的通知收到了") == []
    assert "已读 0/3" in await unread(bound, 1) and "已读 1/3" in await unread(bound, 2)


@pytest.mark.parametrize(("text", "acked"), [("春游的收到", 1), ("体检那个收到了，谢谢", 2),
                                             ("收到体检的", 2)])
async def test_a_title_word_before_de_names_the_notice(bound: Harness, text: str,
                                                        acked: int) -> None:
    """No kind word (通知) needed: 春游的收到 is the 春游 notice, silently, even when it is
    not the one the family owes last."""
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 11:00")
    await bound.say("王老师", CLASS, FEE)
    assert await bound.say("李明妈妈", CLASS, text) == []
    other = 3 - acked
    assert "已读 1/3" in await unread(bound, acked) and "已读 0/3" in await unread(bound, other)


async def test_held_notice_cannot_be_acknowledged_before_it_is_posted(bound: Harness) -> None:
    await bound.at("2026-12-01 22:00")
    await bound.say("王老师", "私聊", NOTICE)  # held for quiet hours until 07:00
    assert await bound.say("李明妈妈", CLASS, "好的") == []
    [told] = await bound.say("张华爸爸", "私聊", "收到 1")
    assert "没有找到通知 #1" in told.text
    await bound.at("2026-12-02 07:30")
    assert "已读 0/3" in await unread(bound, 1)
    reminders = await bound.at("2026-12-02 10:05")
    assert {s.where for s in reminders} >= {"李明妈妈", "张华爸爸"}


async def test_ack_with_a_question_records_and_passes_the_question(bound: Harness) -> None:
    await bound.say("王老师", CLASS, FEE)
    sent = await bound.say("李明妈妈", CLASS, "老师，收到。请问交现金还是微信？")
    assert CLASS not in {s.where for s in sent}, "nothing in the group"
    [to_author] = [s for s in sent if s.where == "王老师"]
    assert "请问交现金还是微信" in to_author.text and "李明妈妈" in to_author.text
    [to_parent] = [s for s in sent if s.where == "李明妈妈"]
    assert "已确认" in to_parent.text and "转给" in to_parent.text
    assert "已读 1/3" in await unread(bound, 1)


@pytest.mark.parametrize("text", ["收到了吗？", "没收到体检表", "还没看到通知"])
async def test_questions_and_negations_are_not_answers(bound: Harness, text: str) -> None:
    await bound.say("王老师", CLASS, FEE)
    assert await bound.say("李明妈妈", CLASS, text) == []
    assert "已读 0/3" in await unread(bound, 1)


async def answer_row(h: Harness) -> tuple[str, int, str]:
    async with h.db().session() as session:
        row = (await session.scalars(select(MeetingRsvp))).one()
        return row.answer, row.heads, row.reason


@pytest.mark.parametrize(("text", "expected"), [
    ("参加，2个人", ("yes", 2, "")),
    ("我和孩子爸爸都去", ("yes", 2, "")),
    ("一家三口都参加", ("yes", 3, "")),
    ("+1", ("yes", 1, "")),
    ("去不了，要加班", ("no", 0, "要加班")),
    ("可能去", ("maybe", 0, "")),
])
async def test_everyday_rsvps_are_recorded(bound: Harness, text: str,
                                           expected: tuple[str, int, str]) -> None:
    await bound.say("王老师", CLASS, MEETING)
    assert await bound.say("李明妈妈", CLASS, text) == []
    assert await answer_row(bound) == expected


async def test_change_of_mind_replaces_the_answer(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("李明妈妈", CLASS, "参加 2人")
    [told] = await bound.say("李明妈妈", "私聊", "还是不去了，临时出差")
    assert "已改为" in told.text and "临时出差" in told.text
    assert await answer_row(bound) == ("no", 0, "临时出差")


async def test_two_meetings_open_a_bare_answer_is_asked_about(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("王老师", CLASS, "#座谈会 2026-12-10 19:00 | 图书馆 | 阅读分享")
    [asked] = await bound.say("李明妈妈", CLASS, "参加")
    assert asked.where == "李明妈妈" and "1." in asked.text and "阅读分享" in asked.text
    [done] = await bound.say("李明妈妈", "私聊", "2")
    assert "阅读分享" in done.text and "参加" in done.text
    assert await bound.say("李明妈妈", CLASS, "座谈会参加") == []  # named by its kind


async def test_looks_like_an_answer_but_unreadable_is_explained_privately(
        bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    sent = await bound.say("李明妈妈", CLASS, "收到收到 体检表")
    assert all(s.where == "李明妈妈" for s in sent)


# --- a parent with children in two classes ---------------------------------------------------


def two_class_config(db: Path) -> Config:
    return make_config(db, classes=[DEMO_CLASS, {"name": OTHER, "head_teacher": {"name": "李老师"},
                                                 "roster": ["李红"]}])


async def _two_classes(h: Harness) -> None:
    await h.setup_class()
    await h.say("李老师", OTHER, "#绑定 三年级一班")
    await h.say("李明妈妈", OTHER, "#登记 李红 妈妈")
    h.channel.clear()


@pytest.fixture(scope="module")
def two_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory, "answer2", two_class_config, _two_classes)


@pytest.fixture
async def two(two_db: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    h = await start_on_copy(two_db, tmp_path / "two.db", two_class_config)
    yield h
    await h.stop()


async def test_private_ack_resolves_across_both_classes(two: Harness) -> None:
    await two.say("王老师", CLASS, NOTICE)
    await two.at("2026-12-01 12:00")
    await two.say("李老师", OTHER, FEE)
    await two.at("2026-12-01 15:05")  # both reminded
    [told] = await two.say("李明妈妈", "私聊", "收到")
    assert "体检费" in told.text and OTHER in told.text, "the latest reminder was 三年级一班's"
    [second] = await two.say("李明妈妈", "私聊", "收到")
    assert "周五春游" in second.text
    assert "已读 1/3" in await unread(two, 1)


async def test_a_burst_is_reminded_once_per_family(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-01 09:03")
    await bound.say("王老师", CLASS, FEE)
    await bound.at("2026-12-01 09:06")
    await bound.say("王老师", CLASS, "#通知 周一升旗\n穿校服")
    await bound.say("李明妈妈", CLASS, "收到")  # all three at once
    await bound.say("张华爸爸", CLASS, "收到 2")
    reminders = await bound.at("2026-12-01 12:10")
    assert sorted(s.where for s in reminders) == ["张华爸爸", "赵雪爸爸"]
    zhang = next(s.text for s in reminders if s.where == "张华爸爸")
    assert "#1" in zhang and "#3" in zhang and "#2" not in zhang
    [told] = await bound.say("张华爸爸", "私聊", "收到")
    assert "#1" in told.text and "#3" in told.text
    for number in (1, 3):
        assert "已读 2/3" in await unread(bound, number)


async def test_a_parent_of_two_classes_is_named_by_each_class_child(two: Harness) -> None:
    await two.say("李老师", OTHER, FEE)
    reminders = await two.at("2026-12-01 12:05")
    [mine] = [s for s in reminders if s.where == "李明妈妈"]
    assert mine.text.startswith("李红妈妈您好") and OTHER in mine.text


@pytest.mark.parametrize("text", ["已到", "到了到了", "我到了，在门口", "签到"])
async def test_arrival_words_check_in(bound: Harness, text: str) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.at("2026-12-04 18:50")
    sent = await bound.say("李明妈妈", CLASS, text)
    assert [s.where for s in sent] == ["李明妈妈"] and "签到" in sent[0].text
    [record] = await bound.say("王老师", CLASS, "#考勤")
    assert "李明" in record.text.split("未")[0]


async def test_a_teacher_of_two_classes_names_the_class_privately(two: Harness) -> None:
    await two.say("王老师", OTHER, "大家好")
    await two.say("李老师", OTHER, "#任课 王老师 数学")
    [which] = await two.say("王老师", "私聊", "#通知 明天考试\n带好文具")
    assert CLASS in which.text and OTHER in which.text
    sent = await two.say("王老师", "私聊", f"{OTHER} #通知 明天考试\n带好文具")
    [card] = [s for s in sent if s.where == OTHER]
    assert "明天考试" in card.text and OTHER not in card.text.split("\n")[0]
    sent = await two.say("王老师", "私聊", f"#未读 @{CLASS}")
    assert [s.where for s in sent] == ["王老师"] and sent[0].text.startswith(f"【{CLASS}】")
    [other] = await two.say("王老师", "私聊", f"#未读 @{OTHER} 1")
    assert other.text.startswith(f"【{OTHER}】") and "明天考试" in other.text
