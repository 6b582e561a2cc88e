"""The class mailbox (issue 4), one scenario per numbered point and per privacy rule."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.channels.script import PRIVATE, Say
from core.config import Config
from models import PendingQuestion
from tests.harness import CLASS, DEMO_CLASS, Harness, make_config
from tests.seeded import build_database, start_on_copy

BODY = "食堂的饭菜太咸了"
OTHER = "三年级一班"
CLASSES = [DEMO_CLASS, {"name": OTHER, "head_teacher": {"name": "李老师"}, "roster": ["王一"]}]


def mailbox_config(db: Path) -> Config:
    return make_config(db, classes=CLASSES, mailbox={"principals": [{"name": "校长"}]})


async def two_classes(h: Harness) -> None:
    await h.setup_class()
    await h.say("李老师", OTHER, "#绑定 三年级一班")
    await h.say("王一妈妈", OTHER, "#登记 王一 妈妈")
    await h.say("校长", "私聊", "#帮助")


@pytest.fixture(scope="module")
def two_classes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory, "mb", mailbox_config, two_classes)


@pytest.fixture
async def mb(two_classes_db: Path, tmp_path: Path) -> AsyncIterator[Harness]:
    """Two classes, a principal; 三年级二班 bound with three families; everyone has written
    to the bot once (so the bot may write to them privately). Tuesday 2026-12-01 09:00."""
    h = await start_on_copy(two_classes_db, tmp_path / "mb.db", mailbox_config)
    yield h
    await h.stop()


async def code_of(h: Harness, speaker: str, letter: str) -> str:
    sent = await h.say(speaker, "私聊", letter)
    confirmation = [s for s in sent if s.where == speaker]
    assert confirmation and "编号" in confirmation[0].text, [s.text for s in sent]
    return confirmation[0].text.split("编号 ")[1].split("（")[0]


async def all_text_in_db(h: Harness) -> str:
    """Every text column of every table, to prove a body was (not) stored."""
    chunks: list[str] = []
    async with h.db().session() as session:
        for table in ("outbox", "mailbox_tickets", "mailbox_entries", "pending_questions",
                      "inbound_messages", "identities", "people", "scheduled_jobs"):
            for row in (await session.execute(text(f"SELECT * FROM {table}"))).all():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


# --- 1. writing to the mailbox -------------------------------------------------------------

async def test_anonymous_complaint_gets_a_number_and_a_reply_time(mb: Harness) -> None:
    sent = await mb.say("李明妈妈", "私聊", f"#匿名投诉 {BODY}")
    [to_teacher] = [s for s in sent if s.where == "王老师"]
    [receipt] = [s for s in sent if s.where == "李明妈妈"]
    assert to_teacher.private and BODY in to_teacher.text and "投诉" in to_teacher.text
    assert "李明" not in to_teacher.text and "匿名家长" in to_teacher.text
    assert "X-0001" in receipt.text and "匿名" in receipt.text
    assert "12月3日 09:00" in receipt.text, "48 h on school days from Tuesday 09:00"
    second = await code_of(mb, "张华爸爸", "#建议 增加阅读时间")
    other_class = await code_of(mb, "王一妈妈", "#咨询 校服在哪里订")
    assert (second, other_class) == ("X-0002", "X-0001"), "numbered per class"


async def test_plain_private_message_is_offered_then_submitted(mb: Harness) -> None:
    [offer] = await mb.say("张华爸爸", "私聊", "孩子最近作业太多了")
    assert "要把这条消息提交到班级信箱吗？回复 是 / 匿名 / 否" in offer.text
    sent = await mb.say("张华爸爸", "私聊", "匿名")
    [to_teacher] = [s for s in sent if s.where == "王老师"]
    assert "孩子最近作业太多了" in to_teacher.text and "张华" not in to_teacher.text
    [offer] = await mb.say("张华爸爸", "私聊", "第二件事")
    [declined] = await mb.say("张华爸爸", "私聊", "否")
    assert "没有提交" in declined.text
    assert "第二件事" not in await all_text_in_db(mb)


async def test_declined_and_expired_offers_keep_nothing(mb: Harness) -> None:
    await mb.say("张华爸爸", "私聊", "第一件事")
    await mb.say("张华爸爸", "私聊", "否")
    await mb.say("赵雪爸爸", "私聊", "第二件事")
    await mb.at("2026-12-01 09:31")  # the offer expires after 30 minutes
    assert "第一件事" not in await all_text_in_db(mb)
    assert "第二件事" not in await all_text_in_db(mb)
    async with mb.db().session() as session:
        assert (await session.scalars(select(PendingQuestion))).all() == []
    [again] = await mb.say("赵雪爸爸", "私聊", "是")
    assert again.where == "赵雪爸爸", "an expired offer is not submitted"
    assert "要把这条消息提交到班级信箱吗" in again.text, "是 is a new message, offered in turn"


async def test_offer_only_for_registered_parents(mb: Harness) -> None:
    [hello] = await mb.say("路人", "私聊", "你好")
    assert "#登记" in hello.text and "信箱" not in hello.text
    [hello] = await mb.say("王老师", "私聊", "你好")
    assert "#帮助" in hello.text and "信箱" not in hello.text


async def test_attachments_are_kept_as_references(mb: Harness) -> None:
    event = mb.channel.event_for(Say("李明妈妈", "私聊", f"#投诉 {BODY}"), mb.clock.now())
    await mb.channel.receive(replace(event, attachments=("photo:AgAD42",)))
    await mb.bot.settle()
    [to_teacher] = mb.channel.to_person("王老师")
    assert "photo:AgAD42" in to_teacher.text
    assert "附件 1 个" in mb.channel.to_person("李明妈妈")[0].text


async def test_group_mailbox_command_is_not_echoed_or_stored(mb: Harness) -> None:
    secret = "班主任收礼的事情"
    [pointer] = await mb.say("李明妈妈", CLASS, f"#信箱 {secret}")
    assert pointer.where == CLASS and "私聊" in pointer.text and secret not in pointer.text
    assert secret not in await all_text_in_db(mb)
    [pointer] = await mb.say("李明妈妈", CLASS, f"#匿名投诉 {secret}")
    assert secret not in pointer.text and secret not in await all_text_in_db(mb)


# --- pending questions: one per person and chat, the newest replaces the older and says so ----

async def test_a_rating_question_replaces_an_unanswered_offer_and_says_so(mb: Harness) -> None:
    code = await code_of(mb, "李明妈妈", f"#投诉 {BODY}")
    [offer] = await mb.say("李明妈妈", "私聊", "孩子最近作业太多了")
    assert "回复 是 / 匿名 / 否" in offer.text
    sent = await mb.say("王老师", "私聊", f"#结案 {code} 食堂已调整")
    [result] = [s for s in sent if s.where == "李明妈妈"]
    assert "食堂已调整" in result.text and "您之前发的消息没有提交到信箱" in result.text
    assert "孩子最近作业太多了" not in await all_text_in_db(mb), "the replaced offer's text"
    sent = await mb.say("李明妈妈", "私聊", "满意")
    assert any(s.where == "王老师" and "满意" in s.text for s in sent), "the open question"
    sent = await mb.say("李明妈妈", "私聊", "是")
    assert all(s.where != "王老师" for s in sent), "是 no longer answers the replaced offer"


async def test_an_offer_replaces_an_unanswered_rating_and_says_how_to_rate_later(
        mb: Harness) -> None:
    code = await code_of(mb, "李明妈妈", f"#投诉 {BODY}")
    await mb.say("王老师", "私聊", f"#结案 {code} 食堂已调整")
    [offer] = await mb.say("李明妈妈", "私聊", "另外想问一下校服")
    assert "回复 是 / 匿名 / 否" in offer.text and f"#评价 {code}" in offer.text
    sent = await mb.say("李明妈妈", "私聊", "不满意")
    assert all(s.where != "王老师" for s in sent), "不满意 answers no open question now"
    sent = await mb.say("李明妈妈", "私聊", f"#评价 {code} 不满意 还是太咸")
    assert any(s.where == "王老师" and "重新打开" in s.text for s in sent)


async def test_another_offer_adds_up_without_a_replacement_line(mb: Harness) -> None:
    await mb.say("张华爸爸", "私聊", "第一段")
    [offer] = await mb.say("张华爸爸", "私聊", "第二段")
    assert "2 条消息会合成一封信" in offer.text and "没有提交到信箱" not in offer.text
    sent = await mb.say("张华爸爸", "私聊", "是")
    [to_teacher] = [s for s in sent if s.where == "王老师"]
    assert "第一段\n第二段" in to_teacher.text


async def test_the_rating_question_expires_after_a_week(mb: Harness) -> None:
    code = await code_of(mb, "李明妈妈", f"#投诉 {BODY}")
    await mb.say("王老师", "私聊", f"#结案 {code} 食堂已调整")
    await mb.at("2026-12-08 09:01")
    async with mb.db().session() as session:
        assert (await session.scalars(select(PendingQuestion))).all() == []
    sent = await mb.say("李明妈妈", "私聊", "满意")
    assert all(s.where != "王老师" for s in sent) and "回复 是 / 匿名 / 否" in sent[0].text


# --- 2. routing ----------------------------------------------------------------------------

async def test_principal_mailbox_goes_to_the_principal_only(mb: Harness) -> None:
    sent = await mb.say("李明妈妈", "私聊", "#校长信箱 班主任经常拖堂")
    assert {s.where for s in sent} == {"校长", "李明妈妈"}
    assert "李明妈妈" in next(s for s in sent if s.where == "校长").text, "not anonymous"
    [nothing] = await mb.say("王老师", "私聊", "#信箱 XZ-0001")
    assert "没有找到" in nothing.text and "拖堂" not in nothing.text
    [inbox] = await mb.say("王老师", "私聊", "#信箱")
    assert "没有待处理" in inbox.text


# --- 3. replying, statuses, transfer, close, rating, #补充, #我的信箱 -------------------------

async def test_reply_close_and_unsatisfied_reopens(mb: Harness) -> None:
    code = await code_of(mb, "李明妈妈", f"#匿名投诉 {BODY}")
    sent = await mb.say("王老师", "私聊", f"#回复 {code} 已反馈给食堂")
    [answer] = [s for s in sent if s.where == "李明妈妈"]
    assert "已反馈给食堂" in answer.text and code in answer.text
    sent = await mb.say("王老师", "私聊", f"#结案 {code} 食堂已调整，下周起少盐")
    [result] = [s for s in sent if s.where == "李明妈妈"]
    assert "少盐" in result.text and "不满意" in result.text
    assert "满意 / 基本满意 / 不满意" in result.text.splitlines()[-1], "the buttons, as text"
    sent = await mb.say("李明妈妈", "私聊", "不满意 还是太咸")
    [told] = [s for s in sent if s.where == "王老师"]
    assert "重新打开" in told.text and "还是太咸" in told.text and "李明" not in told.text
    [mine] = await mb.say("李明妈妈", "私聊", "#我的信箱")
    assert "处理中" in mine.text and code in mine.text


async def test_satisfied_rating_by_button_closes(mb: Harness) -> None:
    code = await code_of(mb, "张华爸爸", "#建议 增加阅读时间")
    await mb.say("王老师", "私聊", f"#结案 {code} 已安排每天阅读20分钟")
    sent = await mb.say("张华爸爸", "私聊", "", action=f"#评价 {code} 满意")
    assert any("谢谢" in s.text for s in sent if s.where == "张华爸爸")
    assert any("满意" in s.text for s in sent if s.where == "王老师")
    [view] = await mb.say("王老师", "私聊", f"#信箱 {code}")
    assert "已解决" in view.text and "评价：满意" in view.text


async def test_statuses_and_transfer_to_the_principal(mb: Harness) -> None:
    code = await code_of(mb, "赵雪爸爸", "#咨询 午托怎么报名")
    [inbox] = await mb.say("王老师", "私聊", "#信箱")
    assert code in inbox.text and "已收到" in inbox.text and "赵雪爸爸" in inbox.text
    [view] = await mb.say("王老师", "私聊", f"#信箱 {code}")
    assert "处理中" in view.text and "午托怎么报名" in view.text
    sent = await mb.say("王老师", "私聊", f"#转交 {code} 校长")
    assert {s.where for s in sent} == {"校长", "赵雪爸爸", "王老师"}
    assert "已转交校长" in next(s for s in sent if s.where == "赵雪爸爸").text
    sent = await mb.say("校长", "私聊", f"#回复 {code} 下周一开始报名")
    assert "下周一开始报名" in next(s for s in sent if s.where == "赵雪爸爸").text
    [wrong] = await mb.say("王老师", "私聊", f"#转交 {code} 刘老师")
    assert "找不到转交对象" in wrong.text and "例：#转交" in wrong.text


async def test_parent_adds_and_sees_only_own_tickets(mb: Harness) -> None:
    mine = await code_of(mb, "李明妈妈", f"#投诉 {BODY}")
    theirs = await code_of(mb, "张华爸爸", "#建议 增加阅读时间")
    sent = await mb.say("李明妈妈", "私聊", f"#补充 {mine} 今天又很咸")
    assert any("今天又很咸" in s.text for s in sent if s.where == "王老师")
    [refused] = await mb.say("李明妈妈", "私聊", f"#补充 {theirs} 冒充别人")
    assert "没有找到" in refused.text
    assert not any("冒充别人" in s.text for s in mb.channel.to_person("王老师"))
    [listing] = await mb.say("李明妈妈", "私聊", "#我的信箱")
    assert mine in listing.text and theirs not in listing.text and "阅读" not in listing.text


# --- 4. service level ----------------------------------------------------------------------

async def test_unanswered_ticket_reminds_then_escalates_without_sender(mb: Harness) -> None:
    code = await code_of(mb, "李明妈妈", f"#匿名投诉 {BODY}")
    assert await mb.at("2026-12-03 08:59") == []
    [reminder] = await mb.at("2026-12-03 09:00")
    assert reminder.where == "王老师" and code in reminder.text and "48" in reminder.text
    [overdue] = await mb.at("2026-12-07 09:00")  # 96 school hours: Sat/Sun do not count
    assert overdue.where == "校长" and code in overdue.text
    assert "李明" not in overdue.text and BODY not in overdue.text
    [view] = await mb.say("校长", "私聊", f"#信箱 {code}")
    assert BODY in view.text and "李明" not in view.text and "匿名家长" in view.text


async def test_reply_stops_the_reminder_and_weekends_do_not_count(mb: Harness) -> None:
    await mb.at("2026-12-04 15:00")  # Friday afternoon
    code = await code_of(mb, "张华爸爸", "#建议 增加阅读时间")
    assert await mb.at("2026-12-08 14:59") == []
    [reminder] = await mb.at("2026-12-08 15:00")  # Tuesday: two school days later
    assert code in reminder.text
    await mb.say("王老师", "私聊", f"#回复 {code} 收到建议")
    assert await mb.at("2026-12-20 09:00") == [], "answered: no escalation"


# --- 5. private parent-to-teacher messages -------------------------------------------------

async def test_private_message_inside_and_outside_office_hours(mb: Harness) -> None:
    sent = await mb.say("李明妈妈", "私聊", "#私信 王老师 明天孩子请假")
    [relayed] = [s for s in sent if s.where == "王老师"]
    assert "李明妈妈" in relayed.text and "明天孩子请假" in relayed.text
    assert "李明妈妈" not in relayed.out.chat.chat_id.replace("王老师", "")
    await mb.at("2026-12-01 20:00")
    [told] = await mb.say("李明妈妈", "私聊", "#私信 王老师 作业本忘带了")
    assert told.where == "李明妈妈" and "12月2日 07:30" in told.text and "#急" in told.text
    assert await mb.at("2026-12-02 07:29") == []
    [late] = await mb.at("2026-12-02 07:30")
    assert late.where == "王老师" and "作业本忘带了" in late.text
    await mb.at("2026-12-02 23:00")
    sent = await mb.say("李明妈妈", "私聊", "#急 孩子发烧了")
    assert any(s.where == "王老师" and "孩子发烧了" in s.text for s in sent), "at once"


async def test_teacher_answers_a_private_message_and_unknown_names(mb: Harness) -> None:
    sent = await mb.say("王老师", "私聊", "#私信 李明妈妈 好的，注意休息")
    assert [s.where for s in sent if "注意休息" in s.text] == ["李明妈妈"]
    [unknown] = await mb.say("李明妈妈", "私聊", "#私信 刘老师 你好")
    assert "找不到" in unknown.text and "王老师" in unknown.text and "例：#私信" in unknown.text
    [parent] = await mb.say("李明妈妈", "私聊", "#私信 张华爸爸 你好")
    assert "找不到" in parent.text, "parents write to teachers, not to other parents"


# --- privacy rules -------------------------------------------------------------------------

async def test_logs_carry_ticket_ids_never_bodies_or_anonymous_senders(
        mb: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    code = await code_of(mb, "李明妈妈", f"#匿名投诉 {BODY}")
    await mb.say("李明妈妈", "私聊", f"#补充 {code} 补充的秘密")
    await mb.say("王老师", "私聊", f"#回复 {code} 答复的内容")
    await mb.say("王老师", "私聊", f"#结案 {code} 结案的内容")
    await mb.say("李明妈妈", "私聊", "不满意 评价的理由")
    await mb.say("李明妈妈", "私聊", "没有命令的私聊内容")
    await mb.say("李明妈妈", "私聊", "#私信 王老师 私信的内容")
    await mb.at("2026-12-09 09:00")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code in logged
    for secret in (BODY, "补充的秘密", "答复的内容", "结案的内容", "评价的理由",
                   "没有命令的私聊内容", "私信的内容", "李明"):
        assert secret not in logged, secret


async def test_anonymous_sender_never_reaches_staff(mb: Harness) -> None:
    code = await code_of(mb, "李明妈妈", f"#匿名投诉 {BODY}")
    await mb.say("李明妈妈", "私聊", f"#补充 {code} 还有一点")
    await mb.say("王老师", "私聊", "#信箱")
    await mb.say("王老师", "私聊", f"#信箱 {code}")
    await mb.say("王老师", "私聊", f"#转交 {code} 校长")
    await mb.say("校长", "私聊", f"#信箱 {code}")
    await mb.say("校长", "私聊", f"#结案 {code} 已处理")
    await mb.say("李明妈妈", "私聊", "不满意")
    await mb.at("2026-12-20 09:00")
    to_staff = [s for s in mb.channel.sent if s.where in ("王老师", "校长")]
    assert len(to_staff) >= 8
    for message in to_staff:
        assert "李明" not in message.text, message.text


async def test_one_class_never_sees_another_class_tickets(mb: Harness) -> None:
    code = await code_of(mb, "王一妈妈", "#投诉 三年级一班的秘密")
    assert code == "X-0001"
    await code_of(mb, "李明妈妈", f"#投诉 {BODY}")  # 三年级二班's X-0001
    [inbox] = await mb.say("王老师", "私聊", "#信箱")
    assert "三年级一班的秘密" not in inbox.text and "王一" not in inbox.text
    [view] = await mb.say("王老师", "私聊", "#信箱 X-0001")
    assert BODY in view.text and "三年级一班的秘密" not in view.text
    sent = await mb.say("王老师", "私聊", "#回复 X-0001 答复")
    assert {s.where for s in sent} == {"王老师", "李明妈妈"}, "his own class's X-0001 only"
    [mine] = await mb.say("李老师", "私聊", "#信箱")
    assert "三年级一班的秘密" not in mine.text and "王一妈妈" in mine.text
    assert BODY not in mine.text


async def test_an_answer_handed_over_with_its_question_answers_it(mb: Harness) -> None:
    """A plain private message and the parent's 匿名 right after it, in one batch (a
    getUpdates page): the batch read its senders' open questions ahead, before the first
    message opened the offer, and the 匿名 must still answer that offer."""
    events = [mb.channel.event_for(Say("张华爸爸", PRIVATE, text), mb.clock.now())
              for text in ("孩子最近作业太多了", "匿名")]
    await asyncio.gather(*(mb.bot.pipeline.handle(e) for e in events))
    await mb.bot.settle()
    to_teacher = [s.text for s in mb.channel.sent if s.where == "王老师"]
    assert any("孩子最近作业太多了" in t and "张华" not in t for t in to_teacher), to_teacher


@pytest.mark.parametrize("answer", ["匿名吧", "老师，匿名，谢谢🙏", "那就匿名提交吧"])
async def test_the_offer_takes_its_answer_word_with_everyday_fillers(
        mb: Harness, answer: str) -> None:
    """Grandparents do not answer with the bare word: a particle or a thank-you around 匿名
    still answers the offer (before, the reply was kept as a second part of the letter and the
    offer asked again)."""
    await mb.say("张华爸爸", "私聊", "孩子最近作业有点多，写到很晚")
    sent = await mb.say("张华爸爸", "私聊", answer)
    [to_teacher] = [s for s in sent if s.where == "王老师"]
    assert "写到很晚" in to_teacher.text and "张华" not in to_teacher.text
    assert answer not in to_teacher.text
