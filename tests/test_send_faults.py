"""Sending through faults: the real sender and TelegramChannel against the fake Bot API's fault
layer (429, 5xx, timeouts before and after acceptance, connection resets, unreadable answers).

What is counted, per target chat: how many copies the fake accepted. Lost = a chat with none;
duplicates = copies beyond the first. The bound (issue 16): no loss, duplicates no more than the
timeouts after acceptance the fake injected, never three copies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import ClassBot
from bot.channels.telegram import TelegramChannel
from core.channel import SendLimits
from core.clock import SimulatedClock
from core.events import ChatKind, ChatRef
from models import OutboxMessage
from services import outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.fake_telegram.rig import telegram_config
from tests.fake_telegram.server import FakeTelegram, Faults
from tests.harness import local

SEND_TIMEOUT = 0.3  # the client gives up on an answer after this; the fake hangs longer


@dataclass(frozen=True)
class Tally:
    targets: int
    lost: int
    duplicates: int
    most_copies: int


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


async def _broadcast(fake: FakeTelegram, db_path: Path, messages: int) -> Tally:
    """Queue one private message to each of `messages` chats and deliver until none is left,
    moving the bot's clock past each retry round."""
    config = telegram_config(db_path, fake)
    clock = SimulatedClock(local("2026-12-01 09:00"))
    # Unlimited pacing keeps the calls in queue order, so a seed picks the same faults each run.
    channel = TelegramChannel(fake.token, config.telegram, limits=SendLimits(),
                              send_timeout=SEND_TIMEOUT, uncertain_retry_seconds=0.05)
    bot = ClassBot(config, [channel], clock)
    bot.sender.retry_base_seconds = 0.01
    await bot.start(background=False)
    try:
        async with UnitOfWork(bot.db, clock, config) as uow:
            for n in range(messages):
                chat = ChatRef("telegram", str(10_000 + n), ChatKind.PRIVATE, f"家长{n}")
                await outbox.enqueue(uow, Draft(chat=chat, kind=Kind.NUDGE, urgent=True,
                                                dedupe_key=f"faults:{n}",
                                                text=f"家长{n}您好，请确认通知 #1。"))
        for _ in range(12):
            await bot.sender.drain()
            clock.set(clock.now() + timedelta(hours=1))
        async with bot.db.session() as session:
            statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
        assert statuses == {"sent": messages}, statuses
    finally:
        await bot.stop()
    copies = Counter(int(c.params["chat_id"]) for c in fake.sent())
    wanted = [10_000 + n for n in range(messages)]
    return Tally(messages, sum(1 for chat in wanted if copies[chat] == 0),
                 sum(max(0, copies[chat] - 1) for chat in wanted),
                 max(copies[chat] for chat in wanted))


async def test_timeouts_after_acceptance_double_at_most_once_each(fake: FakeTelegram,
                                                                  db_path: Path) -> None:
    fake.faults = faults = Faults(rate=0.2, kinds=("timeout_after",), hang_seconds=0.6)
    tally = await _broadcast(fake, db_path, 100)
    timeouts = faults.count("timeout_after")
    assert timeouts >= 10, "the fault layer did inject"
    assert tally.lost == 0
    assert tally.duplicates <= timeouts
    assert tally.most_copies <= 2, "never three copies"


async def test_every_fault_at_20_percent_loses_nothing(fake: FakeTelegram,
                                                       db_path: Path) -> None:
    fake.faults = faults = Faults(rate=0.2, hang_seconds=0.6)
    tally = await _broadcast(fake, db_path, 100)
    assert {kind for kind, _ in faults.injected} == {
        "429", "5xx", "timeout_before", "timeout_after", "reset", "unreadable"}
    assert tally.lost == 0
    assert tally.duplicates <= faults.count("timeout_after")
    assert tally.most_copies <= 2


async def test_definite_failures_never_duplicate(fake: FakeTelegram, db_path: Path) -> None:
    """429, 5xx, resets and unreadable 200s all have a known outcome: exactly one copy each."""
    fake.faults = Faults(rate=0.2, kinds=("429", "5xx", "reset", "unreadable"))
    tally = await _broadcast(fake, db_path, 60)
    assert (tally.lost, tally.duplicates) == (0, 0)


async def test_an_unreadable_200_counts_as_sent_with_an_unknown_id(fake: FakeTelegram,
                                                                   db_path: Path) -> None:
    fake.faults = Faults(rate=1.0, kinds=("unreadable",))
    tally = await _broadcast(fake, db_path, 1)
    assert (tally.lost, tally.duplicates) == (0, 0)
    async with ClassBot(telegram_config(db_path, fake), [], SimulatedClock(
            local("2026-12-01 09:00"))).db.session() as session:
        row = (await session.scalars(select(OutboxMessage))).one()
    assert row.status == "sent" and row.sent_message_id == "" and row.attempts == 1
