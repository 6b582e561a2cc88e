"""What the Bot API requests cost the process apart from the network, and their order (issue 14).

PTB sends through httpx, whose httpcore asks "which async library is this?" by importing
sniffio each time it sets up a request's locks, four times per request. Without sniffio
installed every one of those imports fails, and Python does not remember a failed import: it
searches every sys.path entry again (stat calls, directory listings). Measured on the 2-core
machine: ~0.75–1 ms of CPU per request, a quarter of a sendMessage, on the getUpdates poll and
on every send. The `telegram` extra therefore depends on sniffio; the first test fails without it.

Issuing the next getUpdates costs about as much CPU as a sendMessage (~1.5–2.5 ms here, PTB and
httpx). PTB asks for it as soon as a page of updates is handed over, so without care it is
written before the reply to the update it just delivered, on the reply's time.
"""

from __future__ import annotations

import importlib.machinery
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from bot.channels.telegram import TelegramChannel
from core.channel import SendLimits
from core.config import TelegramSettings
from core.events import ChatKind, ChatRef, Outgoing
from tests.database import on_postgres
from tests.fake_telegram import updates
from tests.fake_telegram.rig import Rig, telegram_config
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


@pytest.mark.skipif(on_postgres(), reason="the yields cover a transaction that does not wait "
                    "on a server (the inline SQLite driver); on PostgreSQL each statement is "
                    "a wait, and the poll may still be written first (bot/channels/telegram.py)")
async def test_the_reply_to_an_update_is_sent_before_the_next_poll_is_written(
        fake: FakeTelegram, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each update alone, as a parent writes: the next getUpdates may arrive after the reply
    either way (it is written last), so what is checked is when PTB starts writing it — after
    the server has the reply, not in between (where its CPU delays the reply)."""
    started: list[tuple[float, str]] = []  # PTB's HTTP layer entered: when, which method
    do_request = HTTPXRequest.do_request

    async def recording(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> Any:
        started.append((time.monotonic(), url.rsplit("/", 1)[-1]))
        return await do_request(self, url, *args, **kwargs)

    monkeypatch.setattr(HTTPXRequest, "do_request", recording)
    rig = await Rig(telegram_config(db_path, fake), fake).start()
    try:
        parent = updates.person(555, "李明妈妈")
        chat = updates.private(parent)
        for _ in range(3):
            mark = len(fake.calls)
            update_id = await fake.push(updates.message(chat, parent, "#帮助"))
            reply = await fake.wait_for("sendMessage", lambda p: int(p["chat_id"]) == 555,
                                        after=mark)
            # the poll that confirms the update
            await fake.wait_until(lambda pushed=update_id: any(
                offset > pushed for _, offset in fake.polls))
            arrived = min(at for at, offset in fake.polls if offset > update_id)
            begun = max(at for at, method in started
                        if method == "getUpdates" and at < arrived)
            assert begun > reply.at
    finally:
        await rig.stop()
