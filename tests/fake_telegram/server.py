"""A fake Telegram Bot API on 127.0.0.1 (aiohttp) that the real python-telegram-bot talks to.

It keeps what a test needs to assert on: every accepted call, every call refused with 429 or
403, the current text of each message the bot sent (after edits), every file downloaded. It
serves files a test put up (`add_file`: getFile, then GET /file/bot<token>/<file_path>, as
Telegram's file server does). It can enforce Telegram's flood
limits, refuse chats with 403 (a parent who blocked the bot) and fail the next calls with 5xx.

PTB posts form fields with nested objects (reply_markup, entities …) as JSON strings.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fault_picking import SeededFaults

TOKEN = "123456:TEST-TOKEN"
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "班级助手", "username": "class_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": True,
            "supports_inline_queries": False}
SENDING = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})
# Telegram's `date` on updates and sent messages: 2026-12-01 09:00 in Shanghai (where the rig's
# simulated clock starts), one second more for each, never the machine's date.
FIRST_DATE = 1_796_086_800
_dates = itertools.count(FIRST_DATE)


def next_date() -> int:
    return next(_dates)


@dataclass
class Limits:
    """Telegram's flood rules; None switches a rule off.

    "bucket": a token bucket per rule (a burst up to the limit, then the steady rate), which is
    how Telegram behaves in practice; "sliding": never more than `limit` in any span (stricter).
    """

    overall_per_second: int | None = 30
    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20
    mode: str = "bucket"


FAULT_KINDS = ("429", "5xx", "timeout_before", "timeout_after", "reset", "unreadable")


@dataclass
class Faults(SeededFaults):
    """What goes wrong with `rate` of sendMessage calls, chosen by a seeded generator:

    - "429": Too Many Requests with retry_after (not accepted)
    - "5xx": 502 Bad Gateway (not accepted)
    - "timeout_before": no answer for `hang_seconds`, and the message is not accepted
    - "timeout_after": the message is accepted, then no answer for `hang_seconds`
    - "reset": the connection is dropped before the request is handled (not accepted)
    - "unreadable": accepted, answered 200 with a body that is not JSON
    """

    rate: float
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 16
    hang_seconds: float = 1.0  # longer than the client's send timeout in the fault tests
    retry_after: int = 1
    injected: list[tuple[str, int]] = field(default_factory=list)  # (kind, chat id)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self._seed()


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    at: float = field(default_factory=time.monotonic)
    # the process's CPU seconds when the call was accepted (bench/broadcast.py: CPU per trip)
    cpu: float = field(default_factory=time.process_time)


class FakeTelegram:
    def __init__(self, *, token: str = TOKEN, limits: Limits | None = None,
                 faults: Faults | None = None) -> None:
        self.token = token
        self.limits = limits
        self.faults = faults
        self.calls: list[Call] = []
        self.rejected: list[Call] = []  # 429s
        self.forbidden: set[int] = set()  # chats answering 403
        self.forbidden_calls: list[Call] = []  # the sends those chats refused
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, id) → current
        self._failures: deque[int] = deque()  # statuses for the next sending calls
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._closing = False
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self.downloads: list[str] = []  # file paths fetched from the file server
        self._file_ids = itertools.count(1)
        # every getUpdates as it arrived: (Call.at's clock, its offset), for the order of polls
        # and sends (tests/test_telegram_requests.py)
        self.polls: list[tuple[float, int]] = []

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True  # parked getUpdates return at once instead of timing out
            self._changed.notify_all()
        if self._runner:
            await self._runner.cleanup()

    # --- what a test does ------------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot; returns its update_id."""
        update_id = next(self._update_ids)
        async with self._changed:
            self._updates.append({"update_id": update_id, **update})
            self._changed.notify_all()
        return update_id

    def add_file(self, name: str, data: bytes, mime: str = "application/octet-stream",
                 *, announce_size: bool = True) -> dict[str, Any]:
        """Put a file on the fake's file server; returns the `document` of a message."""
        number = next(self._file_ids)
        file_id = f"BQACAgIAAx{number:04d}"
        self.files[file_id] = (f"documents/file_{number}{Path(name).suffix}", data)
        document = {"file_id": file_id, "file_unique_id": f"AgAD{number:04d}",
                    "file_name": name, "mime_type": mime}
        if announce_size:
            document["file_size"] = len(data)
        return document

    def fail_next(self, *statuses: int) -> None:
        """The next sending calls answer with these HTTP statuses (e.g. 502), in order."""
        self._failures.extend(statuses)

    async def wait_for(self, method: str, where: Callable[[dict[str, Any]], bool] = lambda p: True,
                       *, after: int = 0, within: float = 10.0) -> Call:
        """The first accepted call of `method` (from call number `after` on) that matches."""
        async def find() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls[after:]:
                        if call.method == method and where(call.params):
                            return call
                    await self._changed.wait()
        return await asyncio.wait_for(find(), within)

    async def wait_until(self, done: Callable[[], bool], *, within: float = 10.0) -> None:
        """Until `done()` holds, checked after every accepted call and every poll."""
        async def check() -> None:
            async with self._changed:
                await self._changed.wait_for(done)
        await asyncio.wait_for(check(), within)

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == "sendMessage"
                and (chat_id is None or int(c.params["chat_id"]) == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        return [c.params["text"] for c in self.sent(chat_id)]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    # --- the server ------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        raw = dict(await request.post()) if request.can_read_body else {}
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            params[key] = value
        return params

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    def _flood_wait(self, chat_id: str) -> int | None:
        """Seconds to wait if this send breaks a rule (nothing counted), else count it."""
        if self.limits is None:
            return None
        now = time.monotonic()
        rules = []
        if self.limits.overall_per_second:
            rules.append(("*", 1.0, self.limits.overall_per_second))
        if self.limits.per_chat_per_second:
            rules.append(("c" + chat_id, 1.0, self.limits.per_chat_per_second))
        if self.limits.per_group_per_minute and chat_id.startswith("-"):
            rules.append(("g" + chat_id, 60.0, self.limits.per_group_per_minute))
        wait = 0.0
        for key, span, limit in rules:
            if self.limits.mode == "sliding":
                window = self._windows[key]
                while window and now - window[0] >= span:
                    window.popleft()
                if len(window) >= limit:
                    wait = max(wait, span - (now - window[0]))
            else:
                tokens, last = self._buckets.get(key, (float(limit), now))
                tokens = min(float(limit), tokens + (now - last) * limit / span)
                self._buckets[key] = (tokens, now)
                if tokens < 1:
                    wait = max(wait, (1 - tokens) * span / limit)
        if wait > 0:
            return max(1, math.ceil(wait))  # Telegram answers in whole seconds
        for key, _, _ in rules:
            if self.limits.mode == "sliding":
                self._windows[key].append(now)
            else:
                tokens, last = self._buckets[key]
                self._buckets[key] = (tokens - 1, last)
        return None

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                self.downloads.append(path)
                return web.Response(body=data, content_type="application/octet-stream")
        return self._error(404, "Not Found")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            async with self._changed:
                self.polls.append((time.monotonic(), int(params.get("offset", 0))))
                self._changed.notify_all()
            return self._ok(await self._get_updates(params))
        fault = self.faults.pick() if self.faults and method == "sendMessage" else None
        if fault is not None:
            assert self.faults is not None
            self.faults.injected.append((fault, int(params["chat_id"])))
            return await self._inject(fault, request, method, params)
        if method in SENDING:
            refused = self._refuse(method, params)
            if refused is not None:
                return refused
        result = self._result(method, params)
        if result is None:
            return self._error(404, f"Not Found: {method} is not in the fake")
        if isinstance(result, web.Response):
            return result
        async with self._changed:
            self.calls.append(Call(method, params, result))
            self._changed.notify_all()
        return self._ok(result)

    async def _accept(self, method: str, params: dict[str, Any]) -> Any:
        result = self._result(method, params)
        async with self._changed:
            self.calls.append(Call(method, params, result))
            self._changed.notify_all()
        return result

    async def _inject(self, fault: str, request: web.Request, method: str,
                      params: dict[str, Any]) -> web.StreamResponse:
        assert self.faults is not None
        if fault == "429":
            wait = self.faults.retry_after
            return self._error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if fault == "5xx":
            return self._error(502, "Bad Gateway")
        if fault == "reset":
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        if fault == "timeout_before":
            await asyncio.sleep(self.faults.hang_seconds)
            return self._error(504, "Gateway Timeout")
        result = await self._accept(method, params)
        if fault == "timeout_after":
            await asyncio.sleep(self.faults.hang_seconds)
            return self._ok(result)
        return web.Response(status=200, text="<html><body>upstream busy</body></html>",
                            content_type="text/html")  # "unreadable"

    def _refuse(self, method: str, params: dict[str, Any]) -> web.Response | None:
        if self._failures:
            status = self._failures.popleft()
            return self._error(status, "Internal Server Error" if status >= 500 else "Error")
        chat_id = int(params["chat_id"])
        if chat_id in self.forbidden:
            self.forbidden_calls.append(Call(method, params))
            return self._error(403, "Forbidden: bot was blocked by the user")
        wait = self._flood_wait(str(chat_id))
        if wait is not None:
            self.rejected.append(Call(method, params))
            return self._error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        return None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, timeout = int(params.get("offset", 0)), float(params.get("timeout", 0))
        async with self._changed:
            if offset:  # Telegram forgets everything below the offset: that is the confirm
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0 and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(
                        lambda: bool(self._updates) or self._closing), timeout)
            return list(self._updates[:int(params.get("limit", 100))])

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat = ({"id": chat_id, "type": "supergroup", "title": "group"} if chat_id < 0
                else {"id": chat_id, "type": "private", "first_name": "user"})
        message = {"message_id": message_id or next(self._message_ids), "date": next_date(),
                   "chat": chat, "from": BOT_USER, "text": params.get("text", "")}
        for key in ("reply_markup", "entities"):
            if key in params:
                message[key] = params[key]
        return message

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("deleteWebhook", "setWebhook", "answerCallbackQuery", "setMyCommands"):
            return True
        if method == "getFile":
            if params.get("file_id") not in self.files:
                return self._error(400, "Bad Request: invalid file_id")
            file_path, data = self.files[params["file_id"]]
            return {"file_id": params["file_id"], "file_unique_id": "u" + params["file_id"],
                    "file_size": len(data), "file_path": file_path}
        if method == "sendMessage":
            message = self._message(params)
            self.messages[(int(params["chat_id"]), message["message_id"])] = message
            return message
        if method in ("sendPhoto", "sendDocument"):  # multipart: the file is a FileField
            field = params.get("photo") or params.get("document")
            message = self._message({"chat_id": params["chat_id"]})
            message["caption"] = params.get("caption", "")
            message["file_name"] = getattr(field, "filename", "")
            return message
        if method == "editMessageText":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if key not in self.messages:
                return self._error(400, "Bad Request: message to edit not found")
            if self.messages[key]["text"] == params.get("text"):
                return self._error(400, "Bad Request: message is not modified")
            self.messages[key] = self._message(params, key[1])
            return self.messages[key]
        return None
