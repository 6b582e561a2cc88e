"""Sign-up lists (接龙), issue 12 part 1: opening, joining the way parents type, the waiting
list, withdrawals, pasted WeChat blocks, the one updated list per few minutes, the deadline,
the one rule shared with meetings, and capacity when two families join at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.channels.memory import PRIVATE, Sent
from core.channel import Capabilities
from core.reading.answers import SignupIntent, read_chain, read_signup
from models import OutboxMessage, Person, SignupList
from services import signups
from services.outbox import Kind
from services.uow import UnitOfWork
from tests.harness import CLASS, Harness, make_config

OPEN = "#接龙 周五开放日志愿者 | 限 2人 | 截止 周四18:00"
MEETING = "#家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结"


def group(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if not s.private]


def private(sent: list[Sent], who: str) -> list[Sent]:
    return [s for s in sent if s.private and s.where == who]


async def status(h: Harness, number: int = 1) -> str:
    [answer] = await h.say("王老师", PRIVATE, f"#接龙情况 {number}")
    return answer.text


# --- reading -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "intent", "number", "note", "people"), [
    ("接龙", SignupIntent.JOIN, None, "", None),
    ("接龙+1", SignupIntent.JOIN, None, "", None),
    ("+1", SignupIntent.JOIN, None, "", 1),
    ("+2", SignupIntent.JOIN, None, "", 2),
    ("报名 周五上午有空", SignupIntent.JOIN, None, "周五上午有空", None),
    ("报名3", SignupIntent.JOIN, 3, "", None),
    ("接龙 #2 李明妈妈，可以全天", SignupIntent.JOIN, 2, "李明妈妈，可以全天", None),
    ("@王老师 接龙", SignupIntent.JOIN, None, "", None),
    ("接龙，谢谢老师", SignupIntent.JOIN, None, "", None),
    ("算我一个", SignupIntent.JOIN, None, "", None),
    ("-1", SignupIntent.LEAVE, None, "", None),
    ("取消报名", SignupIntent.LEAVE, None, "", None),
    ("取消报名 2", SignupIntent.LEAVE, 2, "", None),
    ("不报了，孩子那天有课", SignupIntent.LEAVE, None, "孩子那天有课", None),
    # the words close the message, after the reason or the note
    ("不好意思，我周五临时有事，取消报名", SignupIntent.LEAVE, None, "我周五临时有事", None),
    ("家里来客人了 不报了", SignupIntent.LEAVE, None, "家里来客人了", None),
    ("周六上午有空，报名", SignupIntent.JOIN, None, "周六上午有空", None),
    ("孩子也想去，+1", SignupIntent.JOIN, None, "孩子也想去", 1),
    ("我报个名 周五我有空", SignupIntent.JOIN, None, "周五我有空", None),
    ("算我一个吧，周五下午可以", SignupIntent.JOIN, None, "周五下午可以", None),
    ("我们也想报名", SignupIntent.JOIN, None, "", None),
])
def test_sign_up_words(text: str, intent: SignupIntent, number: int | None, note: str,
                       people: int | None) -> None:
    words = read_signup(text)
    assert words is not None, text
    assert (words.intent, words.number, words.note, words.people) == (intent, number, note,
                                                                       people)


@pytest.mark.parametrize("text", ["报名表收到了", "报名截止了吗？", "报名时间是几号",
                                  "接龙的格式是什么", "报名费交了", "大家好", "1+1=2", "收到",
                                  "请问怎么取消报名", "今天作业很多，报名表在哪"])
def test_not_sign_up_words(text: str) -> None:
    assert read_signup(text) is None


def test_a_pasted_block_is_read_line_by_line() -> None:
    chain = read_chain("#接龙\n周五开放日志愿者\n\n例 张三妈妈\n1. 李明妈妈\n2、张华爸爸 周五上午"
                       "\n３．赵雪奶奶\n4.")
    assert chain is not None and chain.title == "周五开放日志愿者"
    assert chain.lines == ((1, "李明妈妈"), (2, "张华爸爸 周五上午"), (3, "赵雪奶奶"))
    assert read_chain("周五开放日志愿者\n1. 李明妈妈") is None, "no 接龙 head: a plain list"
    assert read_chain("#接龙\n周五开放日志愿者") is None, "no numbered line"


# --- opening and joining ---------------------------------------------------------------------

async def test_open_join_and_the_group_sees_one_list_per_window(bound: Harness) -> None:
    [card] = await bound.say("王老师", CLASS, OPEN)
    assert card.where == CLASS and "【接龙 #1】周五开放日志愿者" in card.text
    assert "名额：2 人" in card.text and "12月3日（周四）18:00" in card.text
    for who, text in (("李明妈妈", "+1"), ("张华爸爸", "接龙"), ("赵雪爸爸", "报名 周五上午有空")):
        sent = await bound.say(who, CLASS, text)
        assert group(sent) == [], "no group message per joiner"
        [told] = private(sent, who)
        assert "接龙 #1" in told.text
    assert "候补" in told.text, "the third family is over the limit of 2"
    later = await bound.at("2026-12-01 09:20")
    [update] = group(later)
    assert "1. 李明妈妈" in update.text and "2. 张华爸爸" in update.text
    assert "候补1. 赵雪爸爸（周五上午有空）" in update.text
    assert group(await bound.at("2026-12-01 10:00")) == [], "nothing new: no new list"


async def test_status_marks_the_waiting_list_and_a_withdrawal_moves_it_up(bound: Harness) -> None:
    await bound.say("王老师", CLASS, OPEN)
    for who in ("李明妈妈", "张华爸爸", "赵雪爸爸"):
        await bound.say(who, CLASS, "+1")
    text = await status(bound)
    assert "1. 李明妈妈\n2. 张华爸爸\n3. 赵雪爸爸 【候补】" in text, text
    sent = await bound.say("李明妈妈", CLASS, "-1")
    assert group(sent) == []
    assert "已为您取消" in private(sent, "李明妈妈")[0].text
    [moved] = private(sent, "赵雪爸爸")
    assert "候补转为" in moved.text
    text = await status(bound)
    assert "李明妈妈" not in text and "候补】" not in text, text
    [again] = await bound.say("李明妈妈", PRIVATE, "取消报名")
    assert "不在" in again.text or "没有" in again.text, again.text


async def test_joining_twice_keeps_one_line_and_updates_its_note(bound: Harness) -> None:
    await bound.say("王老师", CLASS, OPEN)
    await bound.say("李明妈妈", CLASS, "+1")
    [told] = await bound.say("李明妈妈", CLASS, "接龙 下午也可以")
    assert "已经在" in told.text
    text = await status(bound)
    assert text.count("李明妈妈") == 1 and "（下午也可以）" in text, text


async def test_the_senders_own_name_is_no_note(bound: Harness) -> None:
    await bound.say("王老师", CLASS, OPEN)
    await bound.say("李明妈妈", CLASS, "+1 李明妈妈")
    await bound.say("张华爸爸", CLASS, "我报名 张华爸爸 周六可以")
    text = await status(bound)
    assert "1. 李明妈妈\n2. 张华爸爸（周六可以）" in text, text


async def test_per_family_limit_caps_the_head_count(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#接龙 元旦联欢 每户1人")
    await bound.say("李明妈妈", CLASS, "+2")
    assert "李明妈妈 ×2" not in await status(bound)


async def test_a_plain_plus_one_with_nothing_open_is_chatter(bound: Harness) -> None:
    assert await bound.say("李明妈妈", CLASS, "+1") == []
    assert await bound.say("张华爸爸", CLASS, "接龙") != [], "接龙 itself is no chatter: explained"


# --- the one rule shared with meetings ---------------------------------------------------------

async def test_plus_one_with_a_meeting_and_a_sign_up_owed_is_asked(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("王老师", CLASS, OPEN)
    sent = await bound.say("张华爸爸", CLASS, "+1")
    [asked] = private(sent, "张华爸爸")
    assert group(sent) == []
    assert "会议 #1「期中总结」" in asked.text and "接龙 #1「周五开放日志愿者」" in asked.text
    await bound.say("张华爸爸", PRIVATE, "2")
    assert "张华爸爸" in await status(bound)
    [tally] = await bound.say("王老师", PRIVATE, "#报名情况 1")
    assert "参加 0 户" in tally.text or "参加 1 户" not in tally.text, tally.text


async def test_title_words_or_a_number_decide_without_asking(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("王老师", CLASS, OPEN)
    assert group(await bound.say("李明妈妈", CLASS, "家长会参加")) == []
    [tally] = await bound.say("王老师", PRIVATE, "#报名情况 1")
    assert "参加 1 户" in tally.text
    [joined] = await bound.say("张华爸爸", CLASS, "接龙 1")
    assert "已报名 接龙 #1" in joined.text
    # 李明妈妈 answered the meeting: her +1 now means the only thing she still owes
    [also] = await bound.say("李明妈妈", CLASS, "+1")
    assert "已报名 接龙 #1" in also.text


async def test_the_meeting_command_stays_about_meetings(bound: Harness) -> None:
    await bound.say("王老师", CLASS, MEETING)
    await bound.say("王老师", CLASS, OPEN)
    assert await bound.say("李明妈妈", CLASS, "#报名 1 参加") == []
    assert "李明妈妈" not in await status(bound)


# --- pasted blocks -----------------------------------------------------------------------------

PASTE = "#接龙\n周五开放日志愿者\n\n1. 李明妈妈\n2. 张华爸爸 周五上午\n3. 王小虎奶奶"


async def test_a_pasted_block_records_registered_families_and_reports_the_rest(
        bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#接龙 周五开放日志愿者")
    sent = await bound.say("张华爸爸", CLASS, PASTE)
    assert group(sent) == []
    [told] = private(sent, "张华爸爸")
    assert "李明妈妈、张华爸爸" in told.text and "3. 王小虎奶奶" in told.text, told.text
    text = await status(bound)
    assert "1. 李明妈妈\n2. 张华爸爸（周五上午）" in text, text


async def test_a_paste_removes_nobody_and_revives_no_withdrawn_family(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#接龙 周五开放日志愿者")
    await bound.say("赵雪爸爸", CLASS, "+1")
    await bound.say("李明妈妈", CLASS, "+1")
    await bound.say("李明妈妈", CLASS, "-1")
    await bound.say("张华爸爸", CLASS, "#接龙\n周五开放日志愿者\n\n1. 李明妈妈\n2. 张华爸爸")
    text = await status(bound)
    assert "赵雪爸爸" in text, "missing from the paste, still on the list"
    assert "李明妈妈" not in text, "an old copy does not bring back who withdrew"
    await bound.say("李明妈妈", CLASS,
                    "#接龙\n周五开放日志愿者\n\n1. 赵雪爸爸\n2. 张华爸爸\n3. 李明妈妈")
    assert "李明妈妈" in await status(bound), "her own line brings her back"


async def test_a_pasted_block_by_a_teacher_opens_the_list(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, "#接龙\n运动会后勤\n\n1. 李明妈妈")
    assert any("【接龙 #1】运动会后勤" in s.text for s in group(sent))
    assert "李明妈妈" in await status(bound)


# --- deadline and close ------------------------------------------------------------------------

async def test_the_organiser_gets_the_list_at_the_deadline(bound: Harness) -> None:
    await bound.say("王老师", CLASS, OPEN)
    await bound.say("李明妈妈", CLASS, "+1")
    sent = await bound.at("2026-12-03 18:01")
    [final] = private(sent, "王老师")
    assert "已截止" in final.text and "1. 李明妈妈" in final.text
    [late] = await bound.say("张华爸爸", PRIVATE, "接龙")
    assert "已截止" in late.text or "没有进行中的接龙" in late.text, late.text
    assert "张华爸爸" not in await status(bound)


async def test_a_telegram_card_is_edited_not_reposted(db_path) -> None:
    h = await Harness(make_config(db_path), capabilities=Capabilities(
        buttons=True, edits=True, private_needs_contact=False)).start()
    try:
        await h.setup_class()
        [card] = await h.say("王老师", CLASS, OPEN)
        assert [b.action for b in card.out.buttons] == ["#接龙 1"]
        await h.say("李明妈妈", CLASS, "+1", action="#接龙 1")
        await h.say("张华爸爸", CLASS, "+1")
        later = await h.at("2026-12-01 09:30")
        assert group(later) == [], "no new list where the card is edited"
        async with h.db().session() as session:
            edits = (await session.scalars(select(OutboxMessage.text).where(
                OutboxMessage.kind == Kind.EDIT.value))).all()
        assert edits and "1. 李明妈妈" in edits[-1] and "2. 张华爸爸" in edits[-1], edits
    finally:
        await h.stop()


# --- two families at once ----------------------------------------------------------------------

async def _person(h: Harness, name: str) -> int:
    async with h.db().session() as session:
        return int(await session.scalar(select(Person.id).where(Person.display_name == name)))


async def _join_at_once(h: Harness, names: list[str]) -> list[signups.JoinStatus]:
    """Two units of work at once. On PostgreSQL both have read the list before either writes
    (a read-then-write check would let both in); SQLite's units of work take the write lock
    when they begin, so there the second one waits for the first as a whole."""
    ids = [await _person(h, name) for name in names]
    started = asyncio.Event()
    ready: list[int] = []
    barrier = not h.db().is_sqlite

    async def one(person_id: int) -> signups.JoinStatus:
        async with UnitOfWork(h.db(), h.clock, h.config) as uow:
            signup = (await uow.session.scalars(select(SignupList))).one()
            await signups.standing(uow, signup)
            ready.append(person_id)
            if len(ready) == len(ids):
                started.set()
            if barrier:
                await started.wait()
            result = await signups.join(uow, signup, person_id, heads=None, note="", via="word")
            return result.status

    return list(await asyncio.gather(*(one(i) for i in ids)))


async def test_two_families_joining_at_once_over_the_capacity(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#接龙 开放日志愿者 | 限 1人")
    statuses = await _join_at_once(bound, ["李明妈妈", "张华爸爸"])
    assert statuses == [signups.JoinStatus.NEW, signups.JoinStatus.NEW]
    text = await status(bound)
    assert text.count("【候补】") == 1 and "已报 1 人" in text, text


async def test_one_family_joining_twice_at_once_has_one_line(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#接龙 开放日志愿者 | 限 3人")
    statuses = await _join_at_once(bound, ["李明妈妈", "李明妈妈"])
    assert sorted(statuses) == [signups.JoinStatus.ALREADY, signups.JoinStatus.NEW]
    assert (await status(bound)).count("李明妈妈") == 1


async def test_the_weekly_update_lists_open_sign_ups_with_counts(bound: Harness) -> None:
    await bound.say("王老师", CLASS, OPEN)
    for who in ("李明妈妈", "张华爸爸", "赵雪爸爸"):
        await bound.say(who, CLASS, "+1")
    [preview] = await bound.say("王老师", PRIVATE, "#本周动态")
    assert "接龙 #1「周五开放日志愿者」：已报 2 户（2 人，名额 2 人），候补 1 户" in preview.text, \
        preview.text
