"""A class parent group on (fake) WeChat: the real wechaty SDK, the fake gateway on loopback,
and the whole bot in between. People speak through the gateway; tests read what it received."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.app import ClassBot
from bot.extras import installed
from core.clock import SimulatedClock
from core.events import Event
from tests.harness import CLASS, local, make_config

# Installed but failing to import is an error here (collection fails), never a skip.
if not installed("wechat"):
    pytest.skip("the wechat extra is not installed (pip install -e '.[wechat]'); "
                "`make test` installs it", allow_module_level=True)

from bot.channels.wechaty import WechatChannel, _wechat
from tests.fake_puppet import FakePuppet, PuppetServer, SentMessage

ROOM = "room-3-2@chatroom"
TOPIC = "三年级二班家长群"
WANG, LI, ZHANG, ZHAO = "wx-wang", "wx-li", "wx-zhang", "wx-zhao"
TOKEN = "puppet_token_for_tests"
FAST = {"per_chat_seconds": 0.05, "per_minute": 600, "jitter_seconds": 0,
        "reconnect_min_seconds": 0.05, "reconnect_max_seconds": 0.3}


class CountingBot(ClassBot):
    """Counts handled events so a test can wait for the bot instead of sleeping."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handled = 0
        self.changed = asyncio.Event()

    async def handle_event(self, event: Event) -> None:
        await super().handle_event(event)
        self.handled += 1
        self.changed.set()


class WechatWorld:
    def __init__(self, db_path: Path, **wechat: Any) -> None:
        self.puppet = FakePuppet(token=TOKEN)  # checked as the official puppet service does
        self.server = PuppetServer(self.puppet)
        self.db_path = db_path
        self.wechat = {**FAST, **wechat}
        self.clock = SimulatedClock(local("2026-12-01 09:00"))
        self.expected = 0
        for contact_id, name in ((WANG, "王老师"), (LI, "李明妈妈"), (ZHANG, "张华爸爸"),
                                 (ZHAO, "赵雪爸爸")):
            self.puppet.person(contact_id, name)
        self.puppet.room(ROOM, TOPIC, [WANG, LI, ZHANG, ZHAO])

    async def start(self) -> WechatWorld:
        await self.server.start()
        config = make_config(self.db_path, channels=["wechat"],
                             wechat={"endpoint": self.server.endpoint, **self.wechat},
                             classes=[{"name": CLASS, "roster": ["李明", "张华", "赵雪"],
                                       "head_teacher": {"name": "王老师",
                                                        "ids": {"wechat": WANG}}}])
        channel = _wechat(config, {"CLASSBOT_WECHAT_TOKEN": TOKEN})
        assert isinstance(channel, WechatChannel)
        self.channel = channel
        self.bot = CountingBot(config, [channel], self.clock)
        await self.bot.start(background=False)
        await asyncio.wait_for(channel.wait_ready(), 10)
        return self

    async def stop(self) -> None:
        await self.bot.stop()
        await self.server.stop()

    async def __aenter__(self) -> WechatWorld:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def handled(self, count: int) -> None:
        """Until the bot has handled `count` more events than before."""
        self.expected += count

        async def done() -> None:
            while self.bot.handled < self.expected:
                self.bot.changed.clear()
                await self.bot.changed.wait()

        await asyncio.wait_for(done(), 10)

    async def settle(self) -> list[SentMessage]:
        before = len(self.puppet.sent)
        await self.bot.settle()
        return self.puppet.sent[before:]

    async def say(self, talker: str, text: str, *, room: str | None = ROOM,
                  mention: tuple[str, ...] = ()) -> list[SentMessage]:
        """One message through the gateway; returns what the bot sent because of it."""
        self.puppet.say(talker, text, room=room, mention=mention)
        await self.handled(1)
        return await self.settle()

    async def at(self, when: str) -> list[SentMessage]:
        self.clock.set(local(when))
        return await self.settle()

    async def setup_class(self) -> None:
        await self.say(WANG, "#绑定 三年级二班")
        await self.say(LI, "#登记 李明 妈妈")
        await self.say(ZHANG, "#登记 张华 爸爸")
        await self.say(ZHAO, "#登记 赵雪 爸爸")
