"""Issue 10 rule 4 (private side), replayed from tests/scripts/private_answers.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_acceptance_mailbox import after, replay

SCRIPT = Path(__file__).parent / "scripts" / "private_answers.txt"
FEVER = "王老师您好，孩子晚上发烧到38度5"


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return replay(tmp_path_factory, SCRIPT)


def said(lines: list[str], who: str, text: str) -> list[str]:
    return after(lines, f"[私聊 {who}] {who}: {text}")


def to(who: str, sent: list[str]) -> list[str]:
    return [line for line in sent if line.startswith(f"[私聊 {who}] 班级助手: ")]


def test_a_fever_at_night_is_offered_to_the_head_teacher(lines: list[str]) -> None:
    [offer] = to("张华爸爸", said(lines, "张华爸爸", FEVER))
    assert "转给班主任王老师" in offer and "信箱" in offer, "the mailbox is the second choice"
    [again] = to("张华爸爸", said(lines, "张华爸爸", "明天想请一天假"))
    assert "2 条消息" in again, "both messages are held together"


def test_his_yes_sends_it_and_he_is_told_when_it_arrives(lines: list[str]) -> None:
    sent = said(lines, "张华爸爸", "好")
    [told] = to("张华爸爸", sent)
    assert "12月2日 07:30 送达" in told and "#急" in told
    assert not to("王老师", sent), "23:05 is outside office hours: it waits"
    assert "最近没有需要确认的通知" not in told


def test_it_reaches_the_head_teacher_in_the_morning(lines: list[str]) -> None:
    morning = to("王老师", after(lines, ":time 2026-12-02 07:31"))
    relayed = [line for line in morning if FEVER in line]
    assert relayed and "明天想请一天假" in relayed[0] and "张华爸爸" in relayed[0]


def test_in_office_hours_it_goes_at_once(lines: list[str]) -> None:
    sent = said(lines, "李明妈妈", "可以")
    assert any("孩子今天不舒服" in line for line in to("王老师", sent))
    assert to("李明妈妈", sent) == ["[私聊 李明妈妈] 班级助手: 已转给王老师。"]


def test_no_drops_it_and_says_so(lines: list[str]) -> None:
    sent = said(lines, "赵雪爸爸", "不用了")
    [told] = to("赵雪爸爸", sent)
    assert "没有转给老师" in told and not to("王老师", sent)


def test_the_mailbox_is_the_second_choice(lines: list[str]) -> None:
    sent = said(lines, "赵雪爸爸", "信箱")
    [letter] = to("王老师", sent)
    assert "班级信箱 X-0001" in letter and "孩子这两天咳嗽" in letter
    assert "已提交班级信箱" in to("赵雪爸爸", sent)[0]


@pytest.mark.parametrize(("who", "answer", "done"), [
    ("李明妈妈", "嗯嗯，好的", "已提交班级信箱"),
    ("张华爸爸", "不用了，谢谢", "没有提交"),
])
def test_everyday_yes_and_no_answer_the_mailbox_offer(lines: list[str], who: str, answer: str,
                                                      done: str) -> None:
    [told] = to(who, said(lines, who, answer))
    assert done in told


@pytest.mark.parametrize("text", ["好的", "收到"])
def test_a_teachers_private_words_get_an_answer(lines: list[str], text: str) -> None:
    [told] = to("王老师", said(lines, "王老师", text))
    assert "#帮助" in told


def test_the_rating_question_takes_everyday_words(lines: list[str]) -> None:
    sent = said(lines, "李明妈妈", "好的，谢谢老师")
    assert "满意" in to("李明妈妈", sent)[0] and "满意" in to("王老师", sent)[0]
