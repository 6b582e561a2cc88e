"""Surveys (问卷): building, the satisfaction template, questions asked privately one after
another, skipping, giving up and coming back, other questions in between, summaries without
names and without a breakdown below 5 answers, the principal's view across classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.memory import Sent
from core.reading.votes import survey_answer
from handlers.surveys import parse_question, parse_survey
from models import SurveyResponse
from tests.harness import CLASS, Harness, make_config

CUSTOM = ("#问卷 春游反馈\n1. 孩子玩得开心吗？ 1-5\n2. 下次想去哪里？ A. 科技馆 B. 植物园\n"
          "3. 还有什么建议？")
MORE = ("王芳", "陈刚", "刘洋")
PARENTS = ("李明妈妈", "张华爸爸", "赵雪爸爸", "王芳妈妈", "陈刚爸爸", "刘洋奶奶")


def private(sent: list[Sent], who: str) -> list[str]:
    return [s.text for s in sent if s.private and s.where == who]


async def six_families(h: Harness) -> None:
    await h.say("王老师", "私聊", "#加学生 " + " ".join(MORE))
    for parent, child in zip(PARENTS[3:], MORE, strict=True):
        await h.say(parent, CLASS, f"#登记 {child} {parent[len(child):]}")
    h.channel.clear()


async def answer_all(h: Harness, who: str, *answers: str) -> list[Sent]:
    sent = await h.say(who, "私聊", "填问卷")
    for text in answers:
        sent += await h.say(who, "私聊", text)
    return sent


async def summary(h: Harness, who: str = "王老师") -> str:
    [answer] = await h.say(who, "私聊", "#问卷情况")
    return answer.text


# --- reading ---------------------------------------------------------------------------------

def test_question_lines_are_typed_by_their_marks() -> None:
    assert parse_question("1. 孩子玩得开心吗？ 1-5") == {
        "text": "孩子玩得开心吗？", "type": "scale", "options": []}
    assert parse_question("下次想去哪里？ A. 科技馆 B. 植物园 C、动物园") == {
        "text": "下次想去哪里？", "type": "choice", "options": ["科技馆", "植物园", "动物园"]}
    assert parse_question("午餐满意吗 | 满意 | 一般 | 不满意")["type"] == "choice"
    assert parse_question("还有什么建议？（简答）") == {
        "text": "还有什么建议？", "type": "text", "options": []}
    assert parse_question("Q3 您对本学期满意吗（1到5分）")["type"] == "scale"
    parsed = parse_survey("春游反馈 实名\n开心吗 1-5")
    assert parsed is not None and parsed[0] == "春游反馈" and parsed[1] is False
    assert parse_survey("只有标题") is None


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("5", "scale", 5), ("4分", "scale", 4), ("五星", "scale", 5), ("非常满意", "scale", 5),
    ("一般", "scale", 3), ("B", "choice", 1), ("选A", "choice", 0), ("植物园", "choice", 1),
    ("第二个", "choice", 1), ("希望多组织活动", "text", "希望多组织活动"),
    ("B 植物园", "choice", 1), ("A.科技馆", "choice", 0), ("很好", "scale", 5),
    ("还可以吧", "scale", 3), ("打5分", "scale", 5), ("不太好", "scale", 2),
])
def test_survey_answers_are_read_against_the_question(text: str, kind: str,
                                                      value: int | str) -> None:
    found = survey_answer(text, kind, ["科技馆", "植物园"])
    assert found is not None and found.value == value


@pytest.mark.parametrize("text", ["不答了", "我不想填了", "算了", "退出"])
def test_quitting_words(text: str) -> None:
    found = survey_answer(text, "scale")
    assert found is not None and found.quit


def test_no_answers() -> None:
    assert survey_answer("6", "scale") is None and survey_answer("E", "choice", ["a"]) is None
    assert survey_answer("ok", "choice", ["x", "y"]) is None, "a word, not the letter o"
    assert survey_answer("跳过", "text") is not None and survey_answer("跳过", "text").skip


# --- answering ---------------------------------------------------------------------------------

async def test_a_survey_is_posted_and_every_family_invited_privately(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, CUSTOM)
    [card] = [s for s in sent if not s.private]
    assert "问卷 #1" in card.text and "春游反馈" in card.text and "共 3 题" in card.text
    assert "匿名" in card.text
    for parent in PARENTS[:3]:
        [invite] = private(sent, parent)
        assert "填问卷" in invite
    assert "已在 1 个班级群发布" in private(sent, "王老师")[0]


async def test_questions_come_one_after_another_and_the_summary_waits_for_five(
        bound: Harness) -> None:
    await six_families(bound)
    await bound.say("王老师", CLASS, CUSTOM)
    [first] = await bound.say("李明妈妈", CLASS, "填问卷")
    assert first.private and "第 1/3 题" in first.text, "asked privately, from the group too"
    [second] = await bound.say("李明妈妈", "私聊", "5分")
    assert "第 2/3 题" in second.text and "A. 科技馆" in second.text
    [again] = await bound.say("李明妈妈", "私聊", "E")
    assert "没看懂" in again.text
    [third] = await bound.say("李明妈妈", "私聊", "植物园")
    assert "第 3/3 题" in third.text
    [done] = await bound.say("李明妈妈", "私聊", "多安排户外活动")
    assert "已填完" in done.text
    text = await summary(bound)
    assert "填完 1 户" in text and "不足 5 人回答" in text and "多安排户外活动" not in text
    for parent, score in zip(PARENTS[1:5], "4545", strict=True):
        await answer_all(bound, parent, score, "A", "很好")
    text = await summary(bound)
    assert "填完 5 户" in text and "平均 4.6 分" in text and "科技馆 4 · B. 植物园 1" in text
    assert "• 多安排户外活动" in text
    for name in (*PARENTS, "李明", "张华"):
        assert name not in text, "an anonymous survey names nobody"
    async with bound.db().session() as session:
        rows = (await session.scalars(select(SurveyResponse))).all()
    assert len(rows) == 5 and all(r.person_id is None for r in rows)


async def test_giving_up_keeps_a_partial_response_and_填问卷_continues(bound: Harness) -> None:
    await bound.say("王老师", CLASS, CUSTOM)
    await bound.say("张华爸爸", "私聊", "填问卷")
    await bound.say("张华爸爸", "私聊", "3")
    [paused] = await bound.say("张华爸爸", "私聊", "不答了")
    assert "已保存您答过的 1 题" in paused.text
    assert "答了一部分 1 户" in await summary(bound) and "填完 0 户" in await summary(bound)
    [resumed] = await bound.say("张华爸爸", "私聊", "填问卷")
    assert "第 2/3 题" in resumed.text, "continues where it stopped"
    await bound.say("张华爸爸", "私聊", "跳过")
    [done] = await bound.say("张华爸爸", "私聊", "没有了，谢谢老师")  # nothing to say: skipped
    assert "已填完" in done.text and "共回答 1 题" in done.text
    text = await summary(bound)
    assert "填完 1 户" in text and "答了一部分 0 户" in text
    [again] = await bound.say("张华爸爸", "私聊", "填问卷")
    assert "已经填完" in again.text


async def test_silence_until_expiry_leaves_it_partial(bound: Harness) -> None:
    await bound.say("王老师", CLASS, CUSTOM)
    await bound.say("赵雪爸爸", "私聊", "填问卷")
    await bound.say("赵雪爸爸", "私聊", "4")
    await bound.at("2026-12-03 09:00")  # the question expired
    assert await bound.say("赵雪爸爸", "私聊", "A") != [], "no longer an answer: the fallback"
    assert "答了一部分 1 户" in await summary(bound)


async def test_another_question_in_between_pauses_the_survey(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#通知 春游\n带水")
    await bound.at("2026-12-01 11:00")
    await bound.say("王老师", CLASS, "#通知 体检\n空腹")
    await bound.say("王老师", CLASS, CUSTOM)
    await bound.say("李明妈妈", "私聊", "填问卷")
    [which] = await bound.say("李明妈妈", CLASS, "收到")  # two notices owed: which one?
    assert which.private and "问卷先停在这里" in which.text
    await bound.say("李明妈妈", "私聊", "1")
    [back] = await bound.say("李明妈妈", "私聊", "填问卷")
    assert "第 1/3 题" in back.text
    # and the other way round: starting the survey replaces an open mailbox offer, and says so
    await bound.say("张华爸爸", "私聊", "老师，孩子最近作业太多")
    [started] = await bound.say("张华爸爸", "私聊", "填问卷")
    assert "第 1/3 题" in started.text and "没有提交到信箱" in started.text


# --- summaries and permissions -----------------------------------------------------------------

async def test_the_satisfaction_template_and_the_principal_across_classes(
        db_path: Path) -> None:
    bound = await Harness(make_config(db_path, mailbox={"principals": [{"name": "校长"}]})
                          ).start()
    try:
        await bound.setup_class()
        await satisfaction_by_six(bound)
    finally:
        await bound.stop()


async def satisfaction_by_six(bound: Harness) -> None:
    await six_families(bound)
    sent = await bound.say("王老师", CLASS, "#问卷 满意度")
    [card] = [s for s in sent if not s.private]
    assert "满意度调查" in card.text and "共 7 题" in card.text
    for parent in PARENTS[:5]:
        await answer_all(bound, parent, "5", "4", "5", "3", "4", "A", "跳过")
    await answer_all(bound, PARENTS[5], "2", "不答了")
    text = await summary(bound)
    assert "填完 5 户" in text and "答了一部分 1 户" in text and "平均 4.5 分" in text
    await bound.say("校长", "私聊", "#帮助")
    [overview] = await bound.say("校长", "私聊", "#问卷情况")
    assert f"{CLASS}：填完 5/6 户，答了一部分 1 户" in overview.text
    assert "1题 4.5分" in overview.text and "李明" not in overview.text
    [monthly] = await bound.say("王老师", "私聊", "#月报")
    assert "问卷 #1 本学期家校沟通满意度调查：填完 5/6 户，答了一部分 1 户" in monthly.text
    # the mean of the score questions' averages: (4.5 + 4 + 5 + 3 + 4) / 5
    assert "打分题平均 4.1 分" in monthly.text
    assert "私下提醒 0 条" in monthly.text, "an invitation is no reminder"


async def test_only_author_or_head_teacher_sees_the_summary_and_closes(bound: Harness) -> None:
    await bound.say("张老师", CLASS, "大家好")
    await bound.say("王老师", CLASS, "#任课 张老师 数学")
    await bound.say("王老师", CLASS, CUSTOM)
    [refused] = await bound.say("张老师", "私聊", "#问卷情况 1")
    assert "只有发起人和班主任" in refused.text
    [refused] = await bound.say("李明妈妈", CLASS, "#问卷 家长问卷\n开心吗 1-5")
    assert "只有" in refused.text
    await bound.say("李明妈妈", "私聊", "填问卷")
    closed = await bound.say("王老师", "私聊", "#结束问卷")
    assert any("已结束" in s.text for s in closed if not s.private)
    [late] = await bound.say("李明妈妈", "私聊", "5")
    assert "已经结束" in late.text
    [none] = await bound.say("李明妈妈", "私聊", "填问卷")
    assert "没有需要您填写的问卷" in none.text


async def test_a_survey_written_in_quiet_hours_reaches_families_in_the_morning(
        bound: Harness) -> None:
    await bound.at("2026-12-01 22:00")
    sent = await bound.say("王老师", "私聊", CUSTOM)
    assert [s.where for s in sent] == ["王老师"], "only the teacher's own answer at night"
    morning = await bound.at("2026-12-02 07:01")
    assert sorted(s.where for s in morning) == sorted([CLASS, *PARENTS[:3]])


async def test_unregistering_drops_a_named_surveys_free_text(bound: Harness) -> None:
    await bound.say("王老师", CLASS, CUSTOM.replace("春游反馈", "春游反馈 实名"))
    await answer_all(bound, "李明妈妈", "4", "A", "李明晕车，下次坐前排")
    await bound.say("李明妈妈", "私聊", "#注销")
    await bound.say("李明妈妈", "私聊", "确认")
    async with bound.db().session() as session:
        [row] = (await session.scalars(select(SurveyResponse))).all()
    assert row.answers == {"0": 4, "1": 0, "2": "skipped"}, "scores stay, the words go"
