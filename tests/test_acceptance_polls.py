"""Issue 12's polls and surveys transcript (tests/scripts/polls.txt) through `classbot run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_acceptance_answers import after
from tests.test_acceptance_foundation import run_script

SCRIPT = Path(__file__).parent / "scripts" / "polls.txt"
GROUP = "[三年级二班]"
NAMES = ("李明", "张华", "赵雪", "王芳", "陈刚", "刘洋")


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return run_script(tmp_path_factory.mktemp("polls"), SCRIPT.read_text(encoding="utf-8"))


def said(lines: list[str], chat: str, speaker: str, text: str) -> list[str]:
    where = f"私聊 {speaker}" if chat == "私聊" else chat
    return after(lines, f"[{where}] {speaker}: {text}")


def test_votes_are_silent_in_the_group_and_a_vote_change_replaces(lines: list[str]) -> None:
    for speaker, text in (("李明妈妈", "选B"), ("张华爸爸", "我投18:30吧"), ("赵雪爸爸", "投票 3"),
                          ("李明爸爸", "我还是选A吧")):
        answers = said(lines, "三年级二班", speaker, text)
        assert len(answers) == 1 and answers[0].startswith(f"[私聊 {speaker}]"), answers
    assert "已改票" in said(lines, "三年级二班", "李明爸爸", "我还是选A吧")[0]
    assert said(lines, "三年级二班", "赵雪爸爸", "1") == [], "a bare 1 is chatter"
    assert said(lines, "三年级二班", "张华爸爸", "选什么啊？") == [], "a question is no vote"
    [tally] = said(lines, "私聊", "王老师", "#投票情况")
    assert "18:30：2 票（67%）：李明爸爸、张华爸爸" in tally, "one vote per family, changed"
    assert "19:00：0 票" in tally and "19:30：1 票（33%）：赵雪爸爸" in tally


def test_an_anonymous_poll_never_names_a_voter(lines: list[str]) -> None:
    start = lines.index(
        "[三年级二班] 王老师: #投票 匿名 春游去哪里 | 科技馆 | 植物园 | 动物园 | 公布结果")
    end = lines.index(":time 2026-12-03 18:05")
    shown = [line.split(": ", 1)[1] for line in lines[start:end] if " 班级助手: " in line
             and (line.startswith(GROUP) or line.startswith("[私聊 王老师]"))]
    assert shown, "the card, the results and the close were shown"
    for text in shown:
        for name in NAMES:
            assert name not in text, text
    [closed] = [t for t in shown if t.startswith("🏁 投票 #2")]
    assert "植物园：1 票（33%）" in closed and "动物园：2 票（67%）" in closed
    [asked] = said(lines, "三年级二班", "赵雪爸爸", "选 b")
    assert asked.startswith("[私聊 赵雪爸爸]") and "#1" in asked and "#2" in asked
    [changed] = said(lines, "私聊", "赵雪爸爸", "2")
    assert "已改票" in changed and "植物园" in changed


def test_a_deadline_closes_and_results_stay_with_the_author(lines: list[str]) -> None:
    due = after(lines, ":time 2026-12-03 18:05")
    [group] = [line for line in due if line.startswith(GROUP)]
    assert "投票 #1" in group and "私下" in group and "18:30" not in group
    [author] = [line for line in due if line.startswith("[私聊 王老师]")]
    assert "（已结束）" in author and "李明爸爸" in author
    [late] = after(lines[lines.index(":time 2026-12-03 18:05"):], "[三年级二班] 李明妈妈: 选C")
    assert late.startswith("[私聊 李明妈妈]") and "没有进行中的投票" in late


def test_a_survey_answered_by_six_families_one_giving_up(lines: list[str]) -> None:
    start = lines.index(":time 2026-12-04 10:00")
    survey = lines[start:]
    invited = [line for line in survey if "您好，班级发布了问卷 #1" in line]
    assert len(invited) == 7, "every guardian is invited privately (李明 has two)"
    [asked] = said(lines, "三年级二班", "张华爸爸", "填问卷")
    assert asked.startswith("[私聊 张华爸爸]") and "第 1/3 题" in asked, "asked privately"
    assert "C. 太晚" not in said(lines, "私聊", "张华爸爸", "太晚了")[0], "the option's words"
    [paused] = said(lines, "私聊", "王芳妈妈", "不答了，有点忙")
    assert "已保存您答过的 1 题" in paused
    [done] = said(lines, "私聊", "李明爸爸", "填问卷")
    assert "已经填完" in done, "one response per family: the other guardian is done too"
    [summary] = said(lines, "私聊", "王老师", "#问卷情况")
    assert "填完 5 户 · 答了一部分 1 户 · 共 6 户" in summary
    assert "平均 4.3 分" in summary and "A. 合适 4 · B. 太早 0 · C. 太晚 1" in summary
    assert "不足 5 人回答" in summary and "亲子活动" not in summary, "3 texts: not shown"
    for line in [line for line in survey if line.startswith((GROUP, "[私聊 王老师]"))
                 and " 班级助手: " in line]:
        for name in NAMES:
            assert name not in line.split(" 班级助手: ", 1)[1], line
    [closed] = [line for line in said(lines, "私聊", "王老师", "#结束问卷")
                if line.startswith(GROUP)]
    assert "5 户填完，1 户答了一部分" in closed
    assert "没有需要您填写的问卷" in lines[-1]
