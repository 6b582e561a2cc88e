"""Replies go straight to the sender (issue 14): claimed in the event's own transaction, sent
without a second write first; an idle sender or due-work runner never takes SQLite's write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from bot.channels.script import Say
from core.events import ChatKind, ChatRef
from models import OutboxMessage
from services import outbox
from services.outbox import Draft, Kind
from services.uow import ReplyClaim, UnitOfWork
from tests.harness import CLASS, Harness


@contextmanager
def statements(h: Harness) -> Iterator[list[str]]:
    """Every SQL statement the bot's engine runs meanwhile (BEGIN included)."""
    seen: list[str] = []
    engine = h.db().engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_reply_is_claimed_in_its_event_and_sent_without_a_second_claim(
        bound: Harness) -> None:
    channel = bound.channel
    await channel.receive(channel.event_for(Say("李明妈妈", CLASS, "#帮助"), bound.clock.now()))
    async with bound.db().session() as session:
        row = (await session.scalars(select(OutboxMessage)
                                     .order_by(OutboxMessage.id.desc()).limit(1))).one()
    assert (row.kind, row.status, row.claimed_by) == ("reply", "sending", bound.bot.worker)
    with statements(bound) as seen:
        await bound.bot.sender.drain()
    assert [s.out.text for s in channel.sent] == [row.text]
    writes = [s for s in seen if s.startswith("UPDATE outbox")]
    assert len(writes) == 1 and "sent_message_id" in writes[0], writes  # marked sent, no claim


async def test_an_idle_round_takes_no_write_lock(bound: Harness) -> None:
    await bound.bot.settle()
    with statements(bound) as seen:
        await bound.bot.settle()
    assert seen, "the round did look"
    assert not [s for s in seen if s.startswith(("BEGIN IMMEDIATE", "UPDATE", "INSERT"))], seen


async def test_a_handed_reply_keeps_its_place_behind_what_its_event_queued(
        bound: Harness) -> None:
    group = ChatRef("memory", "g-1", ChatKind.GROUP, CLASS)
    async with UnitOfWork(bound.db(), bound.clock, bound.config) as uow:
        uow.reply_claim = claim = ReplyClaim(bound.bot.worker, frozenset({"memory"}))
        for n, kind in enumerate((Kind.NOTICE, Kind.REPLY)):
            await outbox.enqueue(uow, Draft(chat=group, text=f"{kind.value} {n}", kind=kind,
                                            urgent=True, dedupe_key=f"order:{n}"))
    assert [row.kind for row in claim.rows] == ["reply"], "only the reply is handed over"
    assert claim.others == 1  # the notice waits in the outbox: the reply must not go first
    bound.bot.sender.hand_over(claim.rows, claim.others == 0)
    await bound.bot.sender.drain()
    assert [s.text for s in bound.channel.sent] == ["notice 0", "reply 1"]


async def test_a_reply_whose_event_queued_nothing_else_goes_without_a_read(
        bound: Harness) -> None:
    """The round sends it and is done: no read of other due rows before it (a private
    #帮助's answer does not wait for one), nor after it (the next message of a busy chat does
    not wait for one either; issue 14, the round trip)."""
    await bound.bot.settle()
    engine = bound.db().engine.sync_engine
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(f"{statement.split()[0]} {len(bound.channel.sent)}")

    await bound.channel.receive(bound.channel.event_for(Say("李明妈妈", CLASS, "#帮助"),
                                                        bound.clock.now()))
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        await bound.bot.sender.drain()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    # the "sent" mark right after the send (1 message out), and nothing more
    assert seen == ["UPDATE 1"], seen


async def test_rows_due_before_a_lone_reply_still_go_out_with_the_next_round(
        bound: Harness) -> None:
    """A row that fell due without a kick (queued with a later not_before) is not read by the
    round that sends a lone reply; the next round (the idle one, or settle) sends it."""
    await bound.bot.settle()
    group = ChatRef("memory", "g-1", ChatKind.GROUP, CLASS)
    async with UnitOfWork(bound.db(), bound.clock, bound.config) as uow:
        await outbox.enqueue(uow, Draft(chat=group, text="later", kind=Kind.NOTICE,
                                        urgent=True, dedupe_key="later:1",
                                        not_before=bound.clock.now() + timedelta(minutes=1)))
    bound.clock.set(bound.clock.now() + timedelta(minutes=2))
    await bound.channel.receive(bound.channel.event_for(Say("李明妈妈", CLASS, "#帮助"),
                                                        bound.clock.now()))
    await bound.bot.sender.drain()
    assert [s.text for s in bound.channel.sent if s.text == "later"] == []
    await bound.bot.settle()
    assert [s.text for s in bound.channel.sent if s.text == "later"] == ["later"]
