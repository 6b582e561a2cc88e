"""How many SQL statements one new 收到 costs, and that the in-process directory stays correct
when another process changes who is who (issue 14).

Why a test and not only a benchmark: a statement count does not depend on the machine's load,
so a change that starts re-reading the roster per message fails here, not on a slow morning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from bot.channels.script import Say
from tests.harness import CLASS, Harness

NOTICE = "#通知 周五春游\n请带好水和帽子，早上7:50到校。"


@contextmanager
def counting(h: Harness) -> Iterator[list[str]]:
    """Every statement the bot's engine runs meanwhile, BEGIN and COMMIT included."""
    with statements_of(h.db().engine.sync_engine) as seen:
        yield seen


@contextmanager
def statements_of(engine: Any) -> Iterator[list[str]]:
    """Every statement `engine` (a sync Engine) runs meanwhile, BEGIN and COMMIT included."""
    seen: list[str] = []

    def on_begin(_conn: Any) -> None:
        seen.append("BEGIN")  # PostgreSQL's BEGIN is no cursor statement, SQLite's is (db.py)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(" ".join(statement.split())[:400])

    def on_commit(_conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


async def handle(h: Harness, speaker: str, text: str) -> list[str]:
    """The statements of one event's transaction (no sending: the sender is not part of it)."""
    with counting(h) as seen:
        await h.bot.pipeline.handle(h.channel.event_for(Say(speaker, CLASS, text), h.clock.now()))
    return seen


async def test_a_new_ack_in_a_flood_costs_eight_statements(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("李明妈妈", CLASS, "收到")  # the card's first edit, sent at once
    await handle(bound, "张华爸爸", "收到")  # the next edit waits out the throttle
    seen = await handle(bound, "赵雪爸爸", "收到")  # a parent's first message: nothing cached
    # BEGIN, inbound claim (+ stamp), identity upsert (+ open question), the open notices'
    # acknowledgements (which the family owes; the card's tally reuses them), ack upsert, the
    # card's posts, the pending edit overwritten, COMMIT. Notices, classes, families: cached.
    assert len(seen) == 8, "\n".join(seen)
    assert not any("LIKE" in s for s in seen), "\n".join(seen)
    assert "已读 3/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text


async def test_a_repeated_ack_writes_no_card_edit(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("李明妈妈", CLASS, "收到")
    seen = await handle(bound, "李明妈妈", "收到了")
    # BEGIN, claim, identity, the open notices' acknowledgements (they include this family:
    # no upsert is tried), COMMIT
    assert len(seen) == 5, "\n".join(seen)
    assert not any(s.startswith(("INSERT INTO notice_acks", "UPDATE outbox")) for s in seen)


async def test_another_process_registering_a_guardian_is_seen_at_once(bound: Harness) -> None:
    """The directory is per process: a write elsewhere must reach it through the stamp."""
    await bound.say("王老师", CLASS, NOTICE)
    assert "已读 0/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text  # warm
    async with bound.second_process() as (other, channel):
        await other.handle_event(channel.event_for(
            Say("李明爸爸", CLASS, "#登记 李明 爸爸"), bound.clock.now()))
    await bound.say("李明爸爸", CLASS, "收到")  # (this process also sends the other's reply)
    assert "已读 1/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text


async def test_a_write_in_this_process_is_seen_by_the_next_event(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("王老师", CLASS, "#未读")  # warm
    await bound.say("李明爸爸", CLASS, "#登记 李明 爸爸")
    await bound.say("李明爸爸", CLASS, "收到")
    assert "已读 1/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text


async def test_a_flood_handed_over_together_costs_one_statement_a_message(
        bound: Harness) -> None:
    """Twelve families' 收到 arriving together (a getUpdates page) are one transaction: per
    message only its acknowledgement; the claims and the senders' accounts are written for
    the whole batch at once (12 rows: chunks of 8 and 4), the acknowledgements read, the card
    refreshed and BEGIN/COMMIT once for all of them."""
    kids = [f"学生{n}" for n in "甲乙丙丁戊己庚辛壬癸子丑"]
    await bound.say("王老师", CLASS, "#加学生 " + " ".join(kids))
    for kid in kids:
        await bound.say(f"{kid}妈妈", CLASS, f"#登记 {kid} 妈妈")
    await bound.say("王老师", CLASS, NOTICE)
    events = [bound.channel.event_for(Say(f"{kid}妈妈", CLASS, "收到"), bound.clock.now())
              for kid in kids]
    with counting(bound) as seen:
        await asyncio.gather(*(bound.bot.pipeline.handle(e) for e in events))
    assert seen.count("BEGIN") == 1, "\n".join(seen)
    acks = [s for s in seen if s.startswith("INSERT INTO notice_acks")]
    assert len(acks) == len(kids), "\n".join(seen)
    claims = [s for s in seen if s.startswith("INSERT INTO inbound_messages")]
    accounts = [s for s in seen if s.startswith("INSERT INTO identities")]
    assert len(claims) == 2 and len(accounts) == 2, "\n".join(seen)
    # Once for the batch, however many messages it holds: BEGIN, COMMIT, the acknowledgements
    # read, the card's posts and its edit (4), and the directory refilled after the notice
    # moved its stamp (the class, its binding, families, roles, people: 8).
    assert len(seen) - len(acks) - len(claims) - len(accounts) <= 16, "\n".join(seen)
    unread = (await bound.say("王老师", CLASS, "#未读"))[0].text
    assert f"已读 {len(kids)}/{len(kids) + 3}" in unread


async def test_a_batch_sees_what_its_earlier_messages_changed(bound: Harness) -> None:
    """The head teacher's #任课 and the new teacher's first notice, handed over in one batch:
    the accounts were read ahead for the whole batch, before #任课 made that account a
    teacher, so the notice must not be judged by that stale row — it is posted."""
    await bound.say("张老师", CLASS, "大家好")  # a group member the bot has seen
    events = [bound.channel.event_for(Say(speaker, CLASS, text), bound.clock.now())
              for speaker, text in (("王老师", "#任课 张老师 数学"),
                                    ("张老师", "#通知 数学作业\n第5页"))]
    await asyncio.gather(*(bound.bot.pipeline.handle(e) for e in events))
    await bound.bot.settle()
    texts = [m.text for m in bound.channel.sent]
    assert any("已添加任课老师：张老师（数学）" in t for t in texts), texts
    assert any("【通知 #1】数学作业" in t for t in texts), texts


async def test_a_redelivered_message_in_a_batch_is_handled_once(
        bound: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """The same platform message twice in one batch (a webhook retry that caught up) and once
    more in the next: handled once (its replies once), the copies dropped as redeliveries."""
    event = bound.channel.event_for(Say("赵雪妈妈", CLASS, "#登记 赵雪 妈妈"), bound.clock.now())
    other = bound.channel.event_for(Say("张华爸爸", CLASS, "#帮助"), bound.clock.now())
    with caplog.at_level(logging.INFO, logger="bot.pipeline"):
        await asyncio.gather(*(bound.bot.pipeline.handle(e) for e in (event, other, event)))
        await asyncio.gather(*(bound.bot.pipeline.handle(e) for e in (event, other)))
    await bound.bot.settle()
    dropped = [r for r in caplog.records if "duplicate delivery dropped" in r.getMessage()]
    assert len(dropped) == 3, [r.getMessage() for r in caplog.records]
    texts = [m.text for m in bound.channel.sent]
    assert sum("登记成功：赵雪妈妈" in t for t in texts) == 1, texts
    assert sum("已登记为「赵雪」的家长" in t for t in texts) == 1, texts
    assert sum("班级助手的命令" in t for t in texts) == 1, texts  # 张华爸爸's #帮助
