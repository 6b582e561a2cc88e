"""kill -9 in the middle of a broadcast: a real `classbot run` process on the fake Bot API is
killed twice while sending and restarted each time. Nothing may be lost, and each kill may cost
at most one duplicate (the one message whose answer had not been recorded yet)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import ClassBot
from core.clock import SimulatedClock
from core.config import load_config
from core.events import ChatKind, ChatRef
from models import OutboxMessage
from models.migrate import upgrade
from services import outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.fake_telegram.server import FakeTelegram, Limits
from tests.harness import local

REPO = Path(__file__).resolve().parents[1]
CHATS = 150
FIRST_CHAT = 10_000
LEASE = 2  # seconds: the restarted process takes the killed one's row over after this


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram(limits=Limits()).start()  # Telegram's flood limits
    yield server
    await server.stop()


def _config_file(tmp_path: Path, fake: FakeTelegram) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"channels: [telegram]\n"
                    f"telegram: {{base_url: '{fake.base_url}', poll_timeout_seconds: 1}}\n"
                    f"database_url: sqlite:///{tmp_path / 'crash.db'}\n"
                    f"lease_seconds: {LEASE}\ntick_seconds: 1\n", encoding="utf-8")
    return path


async def _queue_broadcast(config_path: Path) -> None:
    """What a nudge job queues for a school year, due long ago (so due whatever the date)."""
    config = load_config(config_path, env={})
    clock = SimulatedClock(local("2020-01-01 09:00"))
    bot = ClassBot(config, [], clock)
    await upgrade(bot.db)  # what `classbot run` expects: a migrated database
    async with UnitOfWork(bot.db, clock, config) as uow:
        for n in range(CHATS):
            chat = ChatRef("telegram", str(FIRST_CHAT + n), ChatKind.PRIVATE, f"家长{n}")
            await outbox.enqueue(uow, Draft(chat=chat, kind=Kind.NUDGE, urgent=True,
                                            dedupe_key=f"crash:{n}",
                                            text=f"家长{n}您好，通知 #1 您还没有确认。"))
    await bot.db.dispose()


async def _run(tmp_path: Path, fake: FakeTelegram) -> asyncio.subprocess.Process:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
           "CLASSBOT_TELEGRAM_TOKEN": fake.token, "NO_PROXY": "127.0.0.1"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)


async def _until_delivered(fake: FakeTelegram, count: int, within: float = 90) -> None:
    await fake.wait_until(lambda: len({int(c.params["chat_id"]) for c in fake.sent()}) >= count,
                          within=within)


async def test_kill_9_mid_broadcast_loses_nothing_and_doubles_at_most_one_per_kill(
        fake: FakeTelegram, tmp_path: Path) -> None:
    config_path = _config_file(tmp_path, fake)
    await _queue_broadcast(config_path)
    kills = 0
    for stop_at in (40, 100):
        process = await _run(tmp_path, fake)
        try:
            await _until_delivered(fake, stop_at)
        finally:
            process.kill()  # SIGKILL: no clean stop, the lease is left to expire
            await process.wait()
        assert process.returncode == -signal.SIGKILL
        kills += 1
    process = await _run(tmp_path, fake)
    try:
        await _until_delivered(fake, CHATS)
        database = load_config(config_path, env={}).database_url
        bot = ClassBot(load_config(config_path, env={}), [], SimulatedClock(local(
            "2020-01-01 09:00")))
        assert bot.db.url == database
        for _ in range(500):  # the last answers recorded
            async with bot.db.session() as session:
                unsent = await session.scalar(select(func.count()).where(
                    OutboxMessage.status != "sent"))
            if unsent == 0:
                break
            await asyncio.sleep(0.02)
        await bot.db.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert unsent == 0
    copies = Counter(int(c.params["chat_id"]) for c in fake.sent())
    wanted = range(FIRST_CHAT, FIRST_CHAT + CHATS)
    assert all(copies[chat] >= 1 for chat in wanted), "nothing lost"
    duplicates = sum(copies[chat] - 1 for chat in wanted)
    assert duplicates <= kills, f"{duplicates} duplicates after {kills} kills"
