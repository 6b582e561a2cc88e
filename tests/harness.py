"""A bot on the memory channel with a settable clock: say things as people, read the replies."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import ClassBot
from bot.channels.memory import MemoryChannel, Sent
from bot.channels.script import Say
from core.channel import Capabilities, SendLimits
from core.clock import SimulatedClock
from core.config import Config
from core.events import SentRef
from models import Database
from tests.database import url_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLASS = "三年级二班"

DEMO_CLASS: dict[str, Any] = {
    "name": CLASS,
    "head_teacher": {"name": "王老师"},
    "roster": ["李明", "张华", "赵雪"],
}


def local(text: str) -> datetime:
    """'2026-12-01 09:00' in Asia/Shanghai, as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def make_config(db_path: Path, **overrides: Any) -> Config:
    data: dict[str, Any] = {"database_url": url_for(db_path),
                            "classes": [DEMO_CLASS]}
    data.update(overrides)
    return Config.model_validate(data)


_channels = itertools.count(1)


class UniqueIdChannel(MemoryChannel):
    """The memory channel with outgoing ids that no other channel of this test process uses,
    as a platform's are: a bot started on a database that another process wrote (a restart, a
    copied template) must not take a quote of its own new message for an older one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = next(_channels)

    def next_sent_id(self) -> SentRef:
        return SentRef(f"{super().next_sent_id().message_id}.{self.instance}")


class Harness:
    """Drives one ClassBot like the console does, but records what was sent."""

    def __init__(self, config: Config, *, start: str = "2026-12-01 09:00",
                 capabilities: Capabilities | None = None,
                 limits: SendLimits | None = None) -> None:
        self.config = config
        self.clock = SimulatedClock(local(start))
        self.capabilities = capabilities
        self.limits = limits
        self.channel = self._channel()
        self.bot = self._bot()

    def _channel(self) -> MemoryChannel:
        return UniqueIdChannel(self.config.bot_name, capabilities=self.capabilities,
                           limits=self.limits)

    def _bot(self) -> ClassBot:
        return ClassBot(self.config, [self.channel], self.clock)

    async def start(self) -> Harness:
        await self.bot.start(background=False)
        return self

    async def stop(self) -> None:
        await self.bot.stop()

    async def restart(self) -> None:
        """Stop the process and start a new one on the same database (sent log kept)."""
        sent = self.channel.sent
        await self.bot.stop()
        self.channel = self._channel()
        self.channel.sent = sent
        self.bot = self._bot()
        await self.start()

    @asynccontextmanager
    async def second_process(self) -> AsyncIterator[tuple[ClassBot, MemoryChannel]]:
        """Another bot process on the same database and clock (exactly-once tests)."""
        channel = UniqueIdChannel()
        other = ClassBot(self.config, [channel], self.clock)
        await other.start(background=False)
        try:
            yield other, channel
        finally:
            await other.stop()

    async def say(self, speaker: str, chat: str, text: str, **event: Any) -> list[Sent]:
        """One message; returns what the bot sent because of it (and anything due)."""
        before = len(self.channel.sent)
        await self.channel.receive(self.channel.event_for(Say(speaker, chat, text),
                                                          self.clock.now(), **event))
        await self.bot.settle()
        return self.channel.sent[before:]

    async def at(self, when: str) -> list[Sent]:
        """Move the clock (like ':time') and return what fell due."""
        before = len(self.channel.sent)
        self.clock.set(local(when))
        await self.bot.settle()
        return self.channel.sent[before:]

    async def setup_class(self) -> None:
        """The foundation transcript's opening: group bound, three families registered."""
        await self.say("王老师", CLASS, "#绑定 三年级二班")
        await self.say("李明妈妈", CLASS, "#登记 李明 妈妈")
        await self.say("张华爸爸", CLASS, "#登记 张华 爸爸")
        await self.say("赵雪爸爸", CLASS, "#登记 赵雪 爸爸")
        self.channel.clear()

    def db(self) -> Database:
        return self.bot.db
