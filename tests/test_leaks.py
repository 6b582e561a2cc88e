"""Issue 16's leaks, each with the scenario that showed it: who could not be reached privately
is never named in a group together with why, nothing undeliverable is claimed delivered (it is
held and delivered when the person next writes privately), and logs never put a person beside
an anonymous letter."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from core.channel import Capabilities
from models import Identity, Person
from tests.harness import CLASS, Harness, make_config
from tests.test_mailbox import BODY, code_of, mb, two_classes_db  # noqa: F401  (fixtures)

NOTICE = "#通知 周五春游\n请带好水和帽子。"
MEETING = "#家长会 2026-12-04 19:00 | 三楼会议室 | 期中总结"
FAMILIES = ("李明", "张华", "赵雪")


async def person_id(h: Harness, name: str) -> int:
    async with h.db().session() as session:
        return (await session.scalars(select(Person.id).where(
            Person.display_name == name))).one()


async def cannot_write_to(h: Harness, *speakers: str) -> None:
    """As on Telegram or WeChat before the parent has written privately: no private chat."""
    async with h.db().session() as session, session.begin():
        await session.execute(update(Identity).where(Identity.external_id.in_(speakers))
                              .values(private_reachable=False))


@pytest.fixture
async def needs_contact(db_path: Path) -> AsyncIterator[Harness]:
    """Three families registered in the group; the bot may write privately only to those who
    wrote to it privately (none yet), as on Telegram and WeChat."""
    h = await Harness(make_config(db_path),
                      capabilities=Capabilities(private_needs_contact=True)).start()
    await h.setup_class()
    yield h
    await h.stop()


# --- the mailbox: an answer the parent cannot get yet --------------------------------------

async def test_an_undeliverable_answer_is_saved_said_so_and_delivered_later(
        mb: Harness, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.DEBUG)
    code = await code_of(mb, "李明妈妈", f"#匿名投诉 {BODY}")
    await cannot_write_to(mb, "李明妈妈")
    [told] = await mb.say("王老师", "私聊", f"#回复 {code} 已和食堂沟通")
    assert told.where == "王老师"
    assert "家长暂时收不到私聊，答复已保存，对方下次私聊我时会收到" in told.text, told.text
    assert "已把答复转给" not in told.text
    [closed] = await mb.say("王老师", "私聊", f"#结案 {code} 已调整菜谱")
    assert "处理结果已保存" in closed.text and "已发给家长" not in closed.text, closed.text

    later = await mb.say("李明妈妈", "私聊", "在吗")
    mine = [s.text for s in later if s.where == "李明妈妈"]
    assert any("已和食堂沟通" in t for t in mine), mine
    assert any("已调整菜谱" in t for t in mine), mine
    assert mine.index(next(t for t in mine if "已和食堂沟通" in t)) == 0, "held first"
    again = await mb.say("李明妈妈", "私聊", "在吗")
    assert not any("已和食堂沟通" in s.text for s in again), "delivered once"

    # The log names neither the person nor the letter together with an unreachable person.
    sender = await person_id(mb, "李明妈妈")
    unreachable = [r.getMessage() for r in caplog.records if "private chat" in r.getMessage()]
    assert unreachable, "the held answers are logged"
    for message in unreachable:
        assert code not in message and "mailbox" not in message, message
        assert not re.search(rf"\bperson {sender}\b", message), message
        assert re.search(r"person p:[0-9a-f]{10}\b", message), message


async def test_a_delivered_answer_is_still_confirmed_as_passed_on(mb: Harness) -> None:  # noqa: F811
    code = await code_of(mb, "李明妈妈", f"#投诉 {BODY}")
    sent = await mb.say("王老师", "私聊", f"#回复 {code} 已和食堂沟通")
    told = [s for s in sent if s.where == "王老师"]
    assert "已把答复转给" in told[0].text
    assert any(s.where == "李明妈妈" and "已和食堂沟通" in s.text for s in sent)


# --- group fallbacks name nobody together with why -----------------------------------------

async def test_a_group_nudge_does_not_say_who_has_not_read(needs_contact: Harness) -> None:
    h = needs_contact
    await h.say("王老师", CLASS, NOTICE)
    sent = await h.at("2026-12-01 12:00")
    [group] = [s for s in sent if not s.private]
    assert {m.display_name for m in group.out.mentions} == {"李明妈妈", "张华爸爸", "赵雪爸爸"}
    for telling in ("春游", "#1", "通知", "确认", "收到", "未读"):
        assert telling not in group.text, (telling, group.text)
    # What they should have read privately waits for them, and arrives when they write.
    later = await h.say("张华爸爸", "私聊", "你好")
    assert any("周五春游" in s.text and s.where == "张华爸爸" for s in later), later
    await h.at("2026-12-02 13:00")
    stale = await h.say("赵雪爸爸", "私聊", "你好")
    assert not any("周五春游" in s.text for s in stale), "a reminder a day late is not sent"


async def test_the_minutes_post_does_not_name_absent_families(needs_contact: Harness) -> None:
    h = needs_contact
    await h.say("王老师", CLASS, MEETING)
    await h.say("李明妈妈", CLASS, "参加")
    await h.at("2026-12-04 19:10")
    await h.say("李明妈妈", CLASS, "签到")
    await h.at("2026-12-04 21:10")
    sent = await h.say("王老师", CLASS, "#纪要\n寒假1月20日开始。")
    [group] = [s for s in sent if not s.private]
    assert not group.out.mentions
    assert not any(family in group.text for family in FAMILIES), group.text
    later = await h.say("赵雪爸爸", "私聊", "你好")
    assert any("寒假1月20日开始" in s.text and s.where == "赵雪爸爸" for s in later), later


async def test_a_failed_private_message_logs_the_chat_by_a_tag(
        bound: Harness, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On Telegram and WeChat a private chat's id is the person's account id."""
    from bot.pipeline import EventPipeline

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(EventPipeline, "_handle", broken)
    await bound.say("李明妈妈", "私聊", "#帮助")
    [failed] = [r.getMessage() for r in caplog.records if "handling failed" in r.getMessage()]
    assert "李明妈妈" not in failed and re.search(r"chat=a:[0-9a-f]{10}", failed), failed
