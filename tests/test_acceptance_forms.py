"""Issue 10 rule 6 (teachers' forms), replayed from tests/scripts/teacher_forms.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_acceptance_mailbox import after, replay

SCRIPT = Path(__file__).parent / "scripts" / "teacher_forms.txt"
GROUP = "[三年级二班] "
BOT = "[三年级二班] 班级助手: "


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return replay(tmp_path_factory, SCRIPT)


def said(lines: list[str], who: str, text: str) -> list[str]:
    return after(lines, f"{GROUP}{who}: {text}")


def test_mentions_before_a_command_are_ignored(lines: list[str]) -> None:
    [card] = said(lines, "王老师", "@所有人 #通知 周五春游")
    assert card.startswith(BOT) and "【通知 #1】周五春游" in card and "@所有人" not in card
    [unread] = said(lines, "王老师", "@所有人 @李明妈妈 #未读")
    assert unread.startswith("[私聊 王老师]") and "通知 #1" in unread
    [card] = said(lines, "王老师", "@所有人 #座谈会 12.5 19:30 | 礼堂 | 家庭教育")
    assert "【座谈会 #5】家庭教育" in card, "the handler reads the text without the mentions"


@pytest.mark.parametrize(("typed", "meant"), [("#未度", "#未读"),
                                              ("@所有人 #通之 明天停课", "#通知"),
                                              ("/notcie 明天停课", "/notice")])
def test_a_slip_in_a_command_word_is_asked_about(lines: list[str], typed: str,
                                                  meant: str) -> None:
    [question] = said(lines, "王老师", typed)
    assert question == f"{BOT}您是不是要 {meant}？发送 #帮助 查看全部命令。"


def test_a_slip_in_private_is_asked_about_not_offered_to_the_mailbox(lines: list[str]) -> None:
    [question] = after(lines, "[私聊 李明妈妈] 李明妈妈: #我的信想")
    assert question == "[私聊 李明妈妈] 班级助手: 您是不是要 #我的信箱？发送 #帮助 查看全部命令。"


@pytest.mark.parametrize("chatter", ["今天天气真好", "#今日打卡# 阅读30分钟"])
def test_chatter_and_unknown_hashtags_stay_quiet(lines: list[str], chatter: str) -> None:
    assert said(lines, "张华爸爸", chatter) == []


def test_a_meeting_on_one_line_is_split(lines: list[str]) -> None:
    [card] = said(lines, "王老师", "#家长会 周五 19:30 三楼会议室 期中家长会")
    assert "【家长会 #1】期中家长会" in card and "地点：三楼会议室" in card
    assert "12月4日（周五）19:30" in card


@pytest.mark.parametrize(("typed", "understood"), [
    ("#座谈会 12月5号晚上7点 礼堂", ("2026-12-05 19:00", "地点：礼堂", "还缺：主题")),
    ("#座谈会 下周 礼堂 安全教育", ("看不懂「下周」", "主题：安全教育", "还缺：时间")),
])
def test_an_unclear_one_line_meeting_is_refused_with_what_was_understood(
        lines: list[str], typed: str, understood: tuple[str, ...]) -> None:
    [refusal] = said(lines, "王老师", typed)
    assert "还没有发布" in refusal and all(part in refusal for part in understood), refusal
    cards = [line for line in lines if line.startswith(BOT) and "【座谈会 #" in line]
    assert len(cards) == 2, "only the two written with | were created, none with a placeholder"


@pytest.mark.parametrize(("typed", "number", "day"), [
    ("#家长会 12.5 19:00 | 三楼会议室 | 期末总结", 2, "12月5日（周六）19:00"),
    ("#家长会 12/5 19:00 | 三楼会议室 | 期末总结二", 3, "12月5日（周六）19:00"),
    ("#座谈会 12月5号晚上7点 | 礼堂 | 安全教育", 4, "12月5日（周六）19:00"),
])
def test_the_time_forms_teachers_type(lines: list[str], typed: str, number: int,
                                      day: str) -> None:
    [card] = said(lines, "王老师", typed)
    assert f"#{number}】" in card and f"时间：{day}" in card, card


@pytest.mark.parametrize("who", ["王老师", "张华爸爸"])
def test_help_in_the_group_is_short_and_points_to_the_private_chat(lines: list[str],
                                                                     who: str) -> None:
    [answer] = said(lines, who, "#帮助")
    assert answer.startswith(BOT) and len(answer.splitlines()) <= 8
    assert "私聊" in answer.splitlines()[-1] and "#帮助" in answer.splitlines()[-1]
