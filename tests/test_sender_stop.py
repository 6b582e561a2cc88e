"""Stopping the outbox sender always ends its loop, even when a kick is being delivered at that
moment (Python 3.11's `asyncio.wait_for` swallowed that cancellation, and the bot's stop hung
forever: seen as tests/test_telegram_e2e.py never finishing with the inline SQLite driver)."""

from __future__ import annotations

import asyncio

from bot.sender import OutboxSender
from tests.harness import Harness


async def test_a_stop_right_after_a_kick_ends_the_loop(harness: Harness) -> None:
    sender: OutboxSender = harness.bot.sender
    rounded = asyncio.Event()

    async def quick_round() -> int:  # a round that needs no loop turn (an idle inline read)
        rounded.set()
        return 0

    sender.drain = quick_round  # type: ignore[method-assign]
    for turns in range(6):  # every point of the kick's delivery, one loop turn apart
        rounded.clear()
        sender.start(idle_seconds=60)
        await rounded.wait()
        for _ in range(3):
            await asyncio.sleep(0)  # the loop is waiting for a kick now
        sender.kick()
        for _ in range(turns):
            await asyncio.sleep(0)
        async with asyncio.timeout(5):
            await sender.stop()
