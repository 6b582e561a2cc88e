"""The real bot (ClassBot + TelegramChannel on PTB) against the fake Bot API, step by step."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.app import ClassBot
from bot.channels.telegram import TelegramChannel
from core.channel import SendLimits
from core.clock import SimulatedClock
from core.config import Config
from core.events import Event
from core.render import Renderer
from handlers import command_table
from kit.menu import command_menu
from tests.fake_telegram import updates
from tests.fake_telegram.server import FakeTelegram
from tests.harness import DEMO_CLASS, local, make_config

WANG = updates.person(100, "王老师")
LI = updates.person(201, "李明妈妈")
ZHANG = updates.person(202, "张华爸爸")
ZHAO = updates.person(203, "赵雪爸爸")
GROUP = updates.group()


def telegram_config(db_path: Path, fake: FakeTelegram, **telegram: Any) -> Config:
    seed = {**DEMO_CLASS, "head_teacher": {"name": "王老师", "ids": {"telegram": "100"}}}
    return make_config(db_path, channels=["telegram"], classes=[seed], telegram={
        "base_url": fake.base_url, "poll_timeout_seconds": 1, "edit_throttle_seconds": 0,
        **telegram})


class RecordingBot(ClassBot):
    """Counts handled events, so a test knows when a silent update has been dealt with."""

    handled: list[Event]
    progress: asyncio.Condition
    in_flight: int = 0
    most_in_flight: int = 0  # events being handled at once, at most (a page handled together)

    async def handle_event(self, event: Event) -> str | None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super().handle_event(event)
        finally:
            self.in_flight -= 1
            async with self.progress:
                self.handled.append(event)
                self.progress.notify_all()


class Rig:
    def __init__(self, config: Config, fake: FakeTelegram, *,
                 limits: SendLimits | None = None, start: str = "2026-12-01 09:00") -> None:
        self.config = config
        self.fake = fake
        self.limits = limits or SendLimits()
        self.clock = SimulatedClock(local(start))
        self.bot: RecordingBot | None = None
        self.channel: TelegramChannel | None = None

    async def start(self) -> Rig:
        renderer = Renderer(self.config.language, bot_name=self.config.bot_name)
        self.channel = TelegramChannel(self.fake.token, self.config.telegram,
                                       menu=command_menu(command_table(), renderer),
                                       limits=self.limits)
        self.bot = RecordingBot(self.config, [self.channel], self.clock)
        self.bot.handled = []
        self.bot.progress = asyncio.Condition()
        await self.bot.start(background=True)
        return self

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
            self.bot = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def send(self, update: dict[str, Any]) -> None:
        """Push one update, wait until the bot has handled it and delivered what it queued."""
        bot = self.bot
        assert bot is not None
        before = len(bot.handled)
        await self.fake.push(update)
        async with asyncio.timeout(10), bot.progress:
            await bot.progress.wait_for(lambda: len(bot.handled) > before)
        await bot.settle()

    async def send_page(self, page: list[dict[str, Any]]) -> None:
        """Updates that reach the bot in one getUpdates page (a flood), handled and delivered."""
        bot = self.bot
        assert bot is not None
        before = len(bot.handled)
        for update in page:  # no await suspends in between: the next poll gets them all
            await self.fake.push(update)
        async with asyncio.timeout(10), bot.progress:
            await bot.progress.wait_for(lambda: len(bot.handled) >= before + len(page))
        await bot.settle()

    async def say(self, who: dict[str, Any], text: str, *, chat: dict[str, Any] | None = None,
                  **extra: Any) -> int:
        """`who` writes `text` in the group (or `chat`); returns how many calls came before."""
        mark = len(self.fake.calls)
        await self.send(updates.message(chat or GROUP, who, text, **extra))
        return mark

    async def at(self, when: str) -> None:
        assert self.bot is not None
        self.clock.set(local(when))
        await self.bot.settle()
