"""Polls (投票): the card, the ways families vote, vote changes, one vote per family, which
poll a vote means, results only for the author, anonymity kept in the rows, closing."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.channels.memory import Sent
from core.channel import Capabilities
from core.reading.votes import bare_option, read_vote, read_vote_args
from handlers.polls import parse_form
from models import PollVote
from tests.harness import CLASS, Harness, make_config

TRIP = "#投票 春游去哪里 | 科技馆 | 植物园 | 动物园"
ANONYMOUS = TRIP + " | 匿名 | 公布结果"


def group(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if not s.private]


async def results(h: Harness, number: int | str = "", who: str = "王老师") -> str:
    [answer] = await h.say(who, CLASS, f"#投票情况 {number}".strip())
    assert answer.private and answer.where == who, answer.text
    return answer.text


# --- reading ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "option", "words"), [
    ("投票 1", 1, ""), ("投票：2", 2, ""), ("选B", 2, ""), ("选 b", 2, ""), ("我选Ｃ", 3, ""),
    ("选第二个", 2, ""), ("投2号", 2, ""), ("投给A吧", 1, ""), ("选择3", 3, ""),
    ("我还是选科技馆吧", None, "科技馆"), ("我也选动物园", None, "动物园"),
    ("我投“植物园”", None, "植物园"), ("改选A", 1, ""), ("我选的是B", 2, ""), ("支持A", 1, ""),
    ("投B一票", 2, ""), ("选项B", 2, ""), ("B选项", 2, ""), ("2号选项", 2, ""),
    ("改成植物园", None, "植物园"), ("换成B", 2, ""), ("改投2", 2, ""), ("还是改成2号吧", 2, ""),
    # the vote closes the message
    ("我投1，不对，改成2", 2, ""), ("想了想，还是选B", 2, ""), ("不选A，选B", 2, ""),
    ("好的，选B，谢谢老师", 2, ""),
])
def test_marked_votes_are_read(text: str, option: int | None, words: str) -> None:
    vote = read_vote(text)
    assert vote is not None and (vote.option, vote.words) == (option, words)


@pytest.mark.parametrize("text", ["1", "A", "b", "选什么呀？", "选A还是B", "投票在哪里",
                                  "不选A", "我投了", "大家投票了吗", "选好了吗", "选项",
                                  "改成什么了？", "改了", "选好了吗，我选B", "选B，不选了",
                                  "1，2"])
def test_chatter_and_questions_are_no_votes(text: str) -> None:
    assert read_vote(text) is None


def test_command_arguments_name_the_poll_and_the_option() -> None:
    assert read_vote_args("3 2") == read_vote_args("#3 B")
    vote = read_vote_args("3 B")
    assert vote is not None and (vote.poll, vote.option) == (3, 2)
    named = read_vote_args("2 植物园")
    assert named is not None and (named.poll, named.words) == (2, "植物园")
    assert bare_option("1") is None and bare_option("A") is None
    assert bare_option("植物园吗？") is None and bare_option("植物园") == "植物园"


def test_the_poll_form_reads_flags_options_and_times() -> None:
    form = parse_form("春游去哪里\nA. 科技馆\nB、植物园\n匿名 公布结果\n截止 周四18:00")
    assert form is not None and form.options == ["科技馆", "植物园"]
    assert form.anonymous and form.publish and not form.per_person
    assert form.deadline == "周四18:00"
    times = parse_form("家长会几点开 | 18:30 | 19:00 | 每人一票")
    assert times is not None and times.options == ["18:30", "19:00"] and times.per_person
    assert parse_form("只有一个选项 | 科技馆") is None, "a poll needs two options"
    assert parse_form("春游去哪里") is None


# --- the card and voting ---------------------------------------------------------------------

async def test_card_is_numbered_and_votes_are_silent_in_the_group(bound: Harness) -> None:
    [card] = await bound.say("王老师", CLASS, TRIP)
    assert "投票 #1" in card.text and "A. 科技馆" in card.text and "C. 动物园" in card.text
    assert "实名" in card.text and "每户一票" in card.text
    sent = await bound.say("李明妈妈", CLASS, "选B")
    assert group(sent) == [] and "B. 植物园" in sent[0].text and sent[0].where == "李明妈妈"
    assert group(await bound.say("张华爸爸", CLASS, "投票 1")) == []
    assert group(await bound.say("赵雪爸爸", CLASS, "动物园")) == [], "an option's exact text"
    text = await results(bound)
    assert "科技馆：1 票" in text and "植物园：1 票" in text and "动物园：1 票" in text
    assert "已投 3/3 户" in text


async def test_bare_numbers_and_letters_are_chatter(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP)
    for text in ("1", "A", "b", "选什么呀？", "好的"):
        assert await bound.say("李明妈妈", CLASS, text) == [], text
    assert "已投 0/3 户" in await results(bound)


async def test_a_new_vote_replaces_the_old_one(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP)
    await bound.say("李明妈妈", CLASS, "选A")
    [changed] = await bound.say("李明妈妈", CLASS, "我还是选动物园吧")
    assert changed.private and "已改票" in changed.text and "科技馆" in changed.text
    text = await results(bound)
    assert "科技馆：0 票" in text and "动物园：1 票" in text and "已投 1/3 户" in text


async def test_one_vote_per_family_unless_per_person(bound: Harness) -> None:
    await bound.say("李明爸爸", CLASS, "#登记 李明 爸爸")
    await bound.say("王老师", CLASS, TRIP)
    await bound.say("李明妈妈", CLASS, "选A")
    await bound.say("李明爸爸", CLASS, "选B")
    text = await results(bound, 1)
    assert "科技馆：0 票" in text and "植物园：1 票" in text, "the family's vote was changed"
    await bound.say("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00 | 每人一票")
    await bound.say("李明妈妈", CLASS, "#投票 2 1")
    await bound.say("李明爸爸", CLASS, "#投票 2 2")
    text = await results(bound, 2)
    assert "18:30：1 票" in text and "19:00：1 票" in text and "已投 2/4 人" in text


async def test_two_open_polls_a_bare_vote_is_asked_about(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP)
    await bound.say("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00")
    [asked] = await bound.say("李明妈妈", CLASS, "选A")
    assert asked.private and "春游去哪里" in asked.text and "周五几点开会" in asked.text
    [done] = await bound.say("李明妈妈", "私聊", "第二个")
    assert "18:30" in done.text
    assert "18:30：1 票" in await results(bound, 2)
    assert "已投 0/3 户" in await results(bound, 1), "never guessed the newest"
    # a number or the card's option words say which poll: no question
    assert group(await bound.say("张华爸爸", CLASS, "#投票 1 B")) == []
    assert "植物园：1 票" in await results(bound, 1)
    # an option only one poll has: that poll (its exact text, a marked vote)
    await bound.say("赵雪爸爸", CLASS, "我选19:00")
    assert "19:00：1 票" in await results(bound, 2)


async def test_a_quoted_card_names_the_poll(bound: Harness) -> None:
    [first] = await bound.say("王老师", CLASS, TRIP)
    await bound.say("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00")
    assert group(await bound.say("李明妈妈", CLASS, "选C", reply_to=first.message_id)) == []
    assert "动物园：1 票" in await results(bound, 1)


async def test_an_option_text_counts_only_while_one_poll_is_open(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP)
    await bound.say("王老师", CLASS, "#投票 午餐选哪家 | 科技馆 | 食堂")
    assert await bound.say("李明妈妈", CLASS, "科技馆") == [], "two polls open: chatter"
    assert "已投 0/3 户" in await results(bound, 1)
    assert "已投 0/3 户" in await results(bound, 2)


async def test_option_that_does_not_exist_is_explained_privately(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00")
    [told] = await bound.say("李明妈妈", CLASS, "选D")
    assert told.private and "没有这个选项" in told.text


async def test_no_open_poll_a_marked_vote_is_explained_privately(bound: Harness) -> None:
    [told] = await bound.say("李明妈妈", CLASS, "投票 1")
    assert told.private and "没有进行中的投票" in told.text


# --- results, anonymity, permissions -----------------------------------------------------------

async def test_named_results_show_names_to_the_author_only(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP)
    await bound.say("李明妈妈", CLASS, "选A")
    assert "科技馆：1 票（100%）：李明妈妈" in await results(bound)
    await bound.say("张老师", CLASS, "大家好")
    await bound.say("王老师", CLASS, "#任课 张老师 数学")
    [refused] = await bound.say("张老师", CLASS, "#投票情况 1")
    assert refused.private and "只有发起人和班主任" in refused.text
    assert "李明妈妈" not in refused.text


async def test_an_anonymous_poll_names_nobody_anywhere(bound: Harness) -> None:
    await bound.say("王老师", CLASS, ANONYMOUS)
    await bound.say("李明妈妈", CLASS, "选A")
    await bound.say("张华爸爸", CLASS, "选B")
    await bound.say("张华爸爸", CLASS, "选A")
    text = await results(bound)
    assert "科技馆：2 票" in text and "匿名" in text
    for name in ("李明", "张华", "赵雪"):
        assert name not in text
    async with bound.db().session() as session:
        rows = (await session.scalars(select(PollVote))).all()
    assert len(rows) == 2 and all(r.person_id is None and r.student_id is None for r in rows)
    closed = await bound.say("王老师", CLASS, "#结束投票")
    posted = group(closed)
    assert len(posted) == 1 and "科技馆：2 票" in posted[0].text
    for sent in closed:
        assert "李明" not in sent.text and "张华" not in sent.text


async def test_a_parent_cannot_start_a_poll_and_a_committee_member_can(bound: Harness) -> None:
    [refused] = await bound.say("张华爸爸", CLASS, TRIP)
    assert "只有" in refused.text and "家委会成员" in refused.text
    await bound.say("王老师", CLASS, "#家委 李明妈妈")
    [card] = await bound.say("李明妈妈", CLASS, TRIP)
    assert "投票 #1" in card.text and "李明妈妈" in card.text


# --- closing -----------------------------------------------------------------------------------

async def test_deadline_closes_and_results_go_where_the_author_chose(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP + " | 截止 2026-12-03 18:00")
    await bound.say("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00 | 公布结果 | 截止 "
                    "2026-12-03 18:00")
    await bound.say("李明妈妈", CLASS, "#投票 1 A")
    await bound.say("李明妈妈", CLASS, "#投票 2 B")
    due = await bound.at("2026-12-03 18:05")
    posts = [s.text for s in group(due)]
    assert len(posts) == 2
    [quiet] = [p for p in posts if "春游去哪里" in p]
    assert "科技馆" not in quiet and "私下" in quiet, "without 公布结果: no results in the group"
    [public] = [p for p in posts if "周五几点开会" in p]
    assert "19:00：1 票" in public and "李明妈妈" not in public
    told = [s for s in due if s.private and s.where == "王老师"]
    assert len(told) == 2 and any("李明妈妈" in s.text for s in told)
    [late] = await bound.say("张华爸爸", CLASS, "#投票 1 B")
    assert "已经结束" in late.text and late.private


async def test_only_the_author_or_head_teacher_closes(bound: Harness) -> None:
    await bound.say("张老师", CLASS, "大家好")
    await bound.say("王老师", CLASS, "#任课 张老师 数学")
    await bound.say("王老师", CLASS, TRIP)
    [refused] = await bound.say("张老师", CLASS, "#结束投票 1")
    assert "只有发起人和班主任" in refused.text
    await bound.say("李明妈妈", CLASS, "选A")
    assert "（进行中）" in await results(bound, 1)


async def test_a_poll_written_in_quiet_hours_waits_for_the_morning(bound: Harness) -> None:
    await bound.at("2026-12-01 22:00")
    sent = await bound.say("王老师", "私聊", TRIP)
    assert group(sent) == [] and "已在 1 个班级群发布" in sent[0].text
    morning = await bound.at("2026-12-02 07:01")
    assert [s.where for s in morning] == [CLASS] and "投票 #1" in morning[0].text


async def test_buttons_vote_and_answer_with_a_toast(db_path) -> None:
    h = await Harness(make_config(db_path), capabilities=Capabilities(
        buttons=True, private_needs_contact=False)).start()
    try:
        await h.setup_class()
        [card] = await h.say("王老师", CLASS, TRIP)
        assert [b.action for b in card.out.buttons] == ["#投票 1 1", "#投票 1 2", "#投票 1 3"]
        assert card.out.buttons[0].label == "选A 科技馆"
        assert await h.say("张华爸爸", CLASS, "选B 植物园",
                           action=card.out.buttons[1].action) == []
        assert "植物园：1 票" in await results(h)
    finally:
        await h.stop()


async def test_the_weekly_update_lists_open_polls_with_how_many_voted(bound: Harness) -> None:
    await bound.say("王老师", CLASS, ANONYMOUS + " | 截止 2026-12-04 18:00")
    await bound.say("李明妈妈", CLASS, "选A")
    [preview] = await bound.say("王老师", CLASS, "#本周动态")
    assert "进行中的投票" in preview.text and "已投 1/3 户" in preview.text
    assert "科技馆" not in preview.text and "李明" not in preview.text, "no results, no names"
    await bound.say("王老师", CLASS, "#结束投票")
    [after_close] = await bound.say("王老师", CLASS, "#本周动态")
    assert "进行中的投票" not in after_close.text


async def test_the_export_sheet_names_no_voter_of_an_anonymous_poll(tmp_path) -> None:
    h = await Harness(make_config(tmp_path / "db.sqlite",
                                  reports={"export_dir": str(tmp_path / "exports")})).start()
    try:
        await h.setup_class()
        await h.say("王老师", CLASS, "#投票 周五几点开会 | 18:30 | 19:00")
        await h.say("张华爸爸", CLASS, "选A")
        await h.say("王老师", CLASS, ANONYMOUS)
        await h.say("李明妈妈", CLASS, "#投票 2 1")
        await h.say("赵雪爸爸", CLASS, "#投票 2 C")
        await h.say("王老师", CLASS, "#问卷 春游反馈\n开心吗？ 1-5\n建议？")
        await h.say("李明妈妈", "私聊", "填问卷")
        await h.say("李明妈妈", "私聊", "5")
        await h.say("李明妈妈", "私聊", "李明说想去海洋馆")
        [answer] = await h.say("王老师", "私聊", "#导出")
        [path] = [line for line in answer.text.splitlines() if line.endswith(".xlsx")]
        sheet = load_workbook(path)["投票与问卷"]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(
            values_only=True)]
    finally:
        await h.stop()
    named = [r for r in rows if r[0] == "投票" and r[1] == "1"]
    assert named[0][6:] == ["A. 18:30", "1", "100%", "张华爸爸"], "a named poll names voters"
    anonymous = [r for r in rows if r[0] == "投票" and r[1] == "2"]
    assert [r[6:9] for r in anonymous] == [["A. 科技馆", "1", "50%"], ["B. 植物园", "0", "0%"],
                                           ["C. 动物园", "1", "50%"]]
    survey = [r for r in rows if r[0] == "问卷"]
    assert survey[0][6:9] == ["合计", "1", "填完 1 · 答了一部分 0"]
    assert all(r[8] == "不足5人回答，不显示明细" for r in survey[1:])
    everything = "\n".join(c for r in rows if r[1] != "1" or r[0] == "问卷" for c in r)
    for name in ("李明", "赵雪", "海洋馆"):
        assert name not in everything


async def test_private_talk_with_vote_words_is_not_swallowed(bound: Harness) -> None:
    await bound.say("王老师", CLASS, TRIP)
    [offer] = await bound.say("李明妈妈", "私聊", "我选好了兴趣班，想和老师说说")
    assert "信箱" in offer.text, "the private fallback answers it, as before polls"
    [voted] = await bound.say("李明妈妈", "私聊", "选B")
    assert "B. 植物园" in voted.text, "a vote by letter works privately"
