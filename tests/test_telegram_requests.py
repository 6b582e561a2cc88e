"""What one Bot API request costs the process apart from the network (issue 14).

PTB sends through httpx, whose httpcore asks "which async library is this?" by importing
sniffio each time it sets up a request's locks, four times per request. Without sniffio
installed every one of those imports fails, and Python does not remember a failed import: it
searches every sys.path entry again (stat calls, directory listings). Measured on the 2-core
machine: ~0.75–1 ms of CPU per request, a quarter of a sendMessage, on the getUpdates poll and
on every send. The `telegram` extra therefore depends on sniffio; this test fails without it.
"""

from __future__ import annotations

import importlib.machinery
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.telegram import TelegramChannel
from core.channel import SendLimits
from core.config import TelegramSettings
from core.events import ChatKind, ChatRef, Outgoing
from tests.fake_telegram.server import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


async def test_a_bot_api_request_does_not_search_the_import_path(
        fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    channel = TelegramChannel(fake.token, TelegramSettings(base_url=fake.base_url),
                              limits=SendLimits())
    await channel.connect()
    out = Outgoing(ChatRef("telegram", "555", ChatKind.PRIVATE, "李明妈妈"), "收到，谢谢！")
    try:
        await channel.send(out)  # anything imported lazily on a first send is imported now
        searched: list[str] = []
        find_spec = importlib.machinery.PathFinder.find_spec

        def counting(_cls: type, name: str, path: Any = None, target: Any = None) -> Any:
            searched.append(name)
            return find_spec(name, path, target)

        monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", classmethod(counting))
        for _ in range(3):
            await channel.send(out)
        monkeypatch.undo()
    finally:
        await channel.stop()
    assert searched == []
    assert len(fake.sent(555)) == 4
