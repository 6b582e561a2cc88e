"""Group commit (issue 14): events that arrive together share one transaction (no savepoints
while nothing fails); when one fails, the batch runs again with a savepoint per event, so the
failing one is rolled back and apologised for alone, duplicates stay dropped and every reply is
queued exactly once, also when the whole batch is delivered again; a reply the failed event had
queued (handed to the sender already claimed) is never sent."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from bot.channels.script import PRIVATE, Say
from bot.pipeline import EventPipeline
from core.events import Event
from tests.harness import CLASS, Harness

NOTICE = "#通知 周五春游\n请带好水和帽子，早上7:50到校。"


def together(h: Harness, says: list[tuple[str, Say]]) -> list[Event]:
    return [h.channel.event_for(say, h.clock.now(), message_id=mid) for mid, say in says]


GATES = itertools.count(1)


async def deliver_at_once(h: Harness, events: list[Event], gate: asyncio.Event) -> list[str]:
    """Hand all events to the pipeline while another one is being written (a webhook server or
    a getUpdates page delivers them concurrently) and return the statements that began a
    transaction (BEGIN …): the gate's own, then the waiting events' batch."""
    begins: list[str] = []
    first = h.channel.event_for(Say("王老师", CLASS, "今天天气不错"), h.clock.now(),
                                message_id=f"gate-{next(GATES)}")
    engine = h.bot.pipeline.db.engine.sync_engine

    def on_begin(_conn: Any) -> None:  # both dialects (PostgreSQL's BEGIN is no statement)
        begins.append("BEGIN")

    sa_event.listen(engine, "begin", on_begin)
    try:
        gate.clear()
        writing = asyncio.create_task(h.bot.handle_event(first))
        await asyncio.sleep(0)  # the gate is being written: what arrives now waits
        rest = [asyncio.create_task(h.bot.handle_event(e)) for e in events]
        await asyncio.sleep(0)  # every event has arrived and waits
        gate.set()
        await asyncio.gather(writing, *rest)
    finally:
        sa_event.remove(engine, "begin", on_begin)
    await h.bot.settle()
    return begins


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Events 'boom…' do their work (an acknowledgement, a reply) and then fail; events
    'gate…' wait for the returned event to be set before they are handled."""
    original = EventPipeline._handle
    gate = asyncio.Event()

    async def failing(self: EventPipeline, uow: Any, event: Event) -> str | None:
        if event.message_id.startswith("gate"):
            await gate.wait()
        toast = await original(self, uow, event)
        if event.message_id.startswith("boom"):
            raise RuntimeError("the handler broke after writing")
        return toast

    monkeypatch.setattr(EventPipeline, "_handle", failing)
    return gate


async def test_a_batch_commits_together_and_a_failure_rolls_back_alone(
        bound: Harness, boom: asyncio.Event) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    before = len(bound.channel.sent)
    events = together(bound, [
        ("a1", Say("李明妈妈", CLASS, "收到")),
        ("a1", Say("李明妈妈", CLASS, "收到")),  # the platform delivered it twice
        ("boom", Say("赵雪爸爸", CLASS, "收到")),
        ("a2", Say("张华爸爸", CLASS, "收到")),
        ("h1", Say("张华爸爸", PRIVATE, "#帮助")),
        ("boom-help", Say("李明妈妈", PRIVATE, "#帮助")),  # its reply is rolled back
    ])
    begins = await deliver_at_once(bound, events, boom)
    # the gate's transaction; the six events together (rolled back: two of them failed); the
    # six again, each in a savepoint
    assert len(begins) == 3, begins
    sent = bound.channel.sent[before:]
    apologies = [s for s in sent if "出了点问题" in s.text]
    assert sorted(a.where for a in apologies) == sorted([CLASS, "李明妈妈"]), \
        [(s.where, s.text) for s in sent]
    assert len([s for s in sent if s.where == "张华爸爸"]) == 1  # #帮助 answered once
    assert [s for s in sent if s.where == "李明妈妈"] == [a for a in apologies
                                                       if a.where == "李明妈妈"]
    unread = (await bound.say("王老师", CLASS, "#未读"))[0].text
    assert "已读 2/3" in unread and "赵雪" in unread  # boom's acknowledgement rolled back

    again = len(bound.channel.sent)
    await deliver_at_once(bound, events, boom)  # the whole batch redelivered: nothing happens
    assert bound.channel.sent[again:] == []
    assert "已读 2/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text


async def test_a_batch_where_nothing_fails_is_one_transaction_without_savepoints(
        bound: Harness, boom: asyncio.Event) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    savepoints: list[str] = []
    engine = bound.bot.pipeline.db.engine.sync_engine

    def on_savepoint(_conn: Any, name: str) -> None:
        savepoints.append(name)

    sa_event.listen(engine, "savepoint", on_savepoint)
    try:
        begins = await deliver_at_once(bound, together(bound, [
            ("b1", Say("李明妈妈", CLASS, "收到")), ("b2", Say("张华爸爸", CLASS, "收到了")),
            ("b3", Say("张华爸爸", PRIVATE, "#帮助"))]), boom)
    finally:
        sa_event.remove(engine, "savepoint", on_savepoint)
    assert len(begins) == 2 and savepoints == [], (begins, savepoints)
    assert "已读 2/3" in (await bound.say("王老师", CLASS, "#未读"))[0].text
    assert any(s.where == "张华爸爸" for s in bound.channel.sent)  # #帮助 answered


async def test_a_lone_event_runs_without_savepoints(bound: Harness) -> None:
    statements: list[str] = []
    engine = bound.bot.pipeline.db.engine.sync_engine

    def on_begin(_conn: Any) -> None:
        statements.append("BEGIN")

    def on_savepoint(_conn: Any, name: str) -> None:
        statements.append(f"SAVEPOINT {name}")

    sa_event.listen(engine, "begin", on_begin)
    sa_event.listen(engine, "savepoint", on_savepoint)
    try:
        await bound.say("李明妈妈", PRIVATE, "#帮助")
    finally:
        sa_event.remove(engine, "begin", on_begin)
        sa_event.remove(engine, "savepoint", on_savepoint)
    assert "BEGIN" in statements and not any("SAVEPOINT" in s for s in statements)
