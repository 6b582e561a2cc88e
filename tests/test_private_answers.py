"""Issue 10 rule 4, private side: nobody registered who writes privately is left unanswered,
and a pending question takes the everyday yes and no (kit/conversation.py, core.reading)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.memory import PRIVATE
from handlers.mailbox import OFFER
from handlers.mailbox_staff import RATING, SKIP
from handlers.private import ABSENCE, MAILBOX, NO, TEACHER
from kit.conversation import Question
from models import PendingQuestion
from tests.harness import CLASS, Harness

# Everyday private messages that are no command; each must get an answer to its writer.
EVERYDAY = ["好", "好的", "嗯", "收到", "收到了，谢谢老师", "参加", "签到", "谢谢老师", "👍",
            "老师好", "请问明天上课吗？", "？", "[抱拳]", "X-0099 怎么样了", "#", "1", "不用了"]


def row(payload: dict[str, object] | None = None) -> PendingQuestion:
    return PendingQuestion(person_id=1, channel="memory", chat_id="x", name="q",
                           payload=payload or {}, ref_id=7,
                           expires_at=datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(("question", "text", "value"), [
    (OFFER, "好", "yes"), (OFFER, "好的，谢谢老师", "yes"), (OFFER, "嗯", "yes"),
    (OFFER, "是的", "yes"), (OFFER, "可以", "yes"), (OFFER, "麻烦了", "yes"),
    (OFFER, "不用了", "no"), (OFFER, "算了，不用了", "no"), (OFFER, "不要", "no"),
    (OFFER, "匿名", "anonymous"), (OFFER, "否", "no"),
    (ABSENCE, "好", TEACHER), (ABSENCE, "嗯嗯", TEACHER), (ABSENCE, "转给班主任", TEACHER),
    (ABSENCE, "信箱", MAILBOX), (ABSENCE, "不用了", NO), (ABSENCE, "不好", NO),
    (RATING, "满意", "satisfied"), (RATING, "好的，谢谢", "satisfied"),
    (RATING, "不好", "unsatisfied"), (RATING, "不用了", SKIP),
])
def test_everyday_words_answer_a_question(question: Question, text: str, value: str) -> None:
    answer = question.pick(text, row())
    assert answer is not None and answer.value == value


@pytest.mark.parametrize("text", ["好吗？", "孩子发烧了", "明天几点到校", "X-0001"])
def test_other_messages_are_no_answer(text: str) -> None:
    assert OFFER.pick(text, row()) is None and ABSENCE.pick(text, row()) is None


def test_a_numbered_question_takes_everyday_numbers() -> None:
    numbered = Question("which", OFFER.handler, lambda _c: 5, numbered=True)
    items = row({"items": ["a", "b", "c"]})
    assert [numbered.pick(t, items).number  # type: ignore[union-attr]
            for t in ("2", "第二个", "选3", "２")] == [2, 2, 3, 2]
    assert numbered.pick("4", items) is None and numbered.pick("好", items) is None


@pytest.mark.parametrize("speaker", ["李明妈妈", "王老师"])
async def test_every_private_message_gets_an_answer(bound: Harness, speaker: str) -> None:
    await bound.say("王老师", PRIVATE, "#帮助")
    await bound.say("王老师", CLASS, "#通知 周五春游")
    silent = []
    for text in EVERYDAY:
        sent = await bound.say(speaker, PRIVATE, text)
        if not [s for s in sent if s.private and s.where == speaker]:
            silent.append(text)
    assert silent == []


async def test_a_sick_child_is_offered_to_the_head_teacher_first(bound: Harness) -> None:
    await bound.say("王老师", PRIVATE, "#帮助")
    [offer] = await bound.say("张华爸爸", PRIVATE, "孩子有点不舒服，今天想请假")
    assert "转给班主任王老师" in offer.text and "信箱" in offer.text
    sent = await bound.say("张华爸爸", PRIVATE, "嗯")
    [relayed] = [s for s in sent if s.where == "王老师"]
    assert "孩子有点不舒服" in relayed.text and "张华爸爸" in relayed.text
    [told] = [s for s in sent if s.where == "张华爸爸"]
    assert "已转给王老师" in told.text


async def test_recovery_is_no_sick_note(bound: Harness) -> None:
    [offer] = await bound.say("张华爸爸", PRIVATE, "孩子已经不发烧了，谢谢老师关心")
    assert "班级信箱" in offer.text and "转给班主任" not in offer.text
