"""The APScheduler tick in a running (background) bot: it only ticks, the database remembers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import ClassBot
from bot.channels.memory import MemoryChannel
from tests.harness import CLASS, Harness, local, make_config


async def wait_for(channel: MemoryChannel, words: str, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if any(words in s.text for s in channel.sent):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_work_due_while_down_runs_at_start_not_one_interval_later(tmp_path: Path) -> None:
    # A tick every 5 minutes: only the tick at start can deliver within the wait below.
    config = make_config(tmp_path / "s.db", tick_seconds=300)
    h = await Harness(config).start()
    await h.setup_class()
    await h.say("王老师", CLASS, "#动态 停机前写的")
    await h.stop()
    h.clock.set(local("2026-12-04 17:30"))
    channel = MemoryChannel()
    bot = ClassBot(config, [channel], h.clock)
    await bot.start(background=True)
    try:
        assert await wait_for(channel, "停机前写的"), [s.text for s in channel.sent]
    finally:
        await bot.stop()
