"""Delivers outbox rows: rate limits per chat/group/overall, retries with backoff, no loss."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import cast

from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential

from core.channel import (
    Channel,
    EditingChannel,
    Rate,
    TransientSendError,
    UnreachableError,
)
from core.clock import Clock
from core.events import Button, ChatKind, Mention, Outgoing, SentRef
from core.render import Renderer
from models import Database, OutboxMessage
from services import outbox

log = logging.getLogger(__name__)

MAX_ROUNDS = 8  # delivery rounds (each with a few quick retries) before a row is given up


class _RetryAfter(wait_base):
    """Honour the platform's retry_after (Telegram 429) before exponential backoff."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state):  # type: ignore[no-untyped-def]
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome else None
        if isinstance(exc, TransientSendError) and exc.retry_after is not None:
            return exc.retry_after
        return self.fallback(retry_state)


def split_text(text: str, limit: int) -> list[str]:
    """Cut long messages at line breaks (then hard) so each part fits the platform."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current:
        parts.append(current)
    return [p.rstrip("\n") for p in parts if p.strip()]


class OutboxSender:
    def __init__(self, db: Database, channels: dict[str, Channel], clock: Clock,
                 renderer: Renderer, *, quick_retries: int = 3,
                 retry_base_seconds: float = 0.5,
                 on_unreachable: Callable[[OutboxMessage], Awaitable[None]] | None = None,
                 ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.renderer = renderer
        self.quick_retries = quick_retries
        self.retry_base_seconds = retry_base_seconds
        self.on_unreachable = on_unreachable
        self._limiters: dict[tuple[str, str], AsyncLimiter] = {}
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    # --- running ---------------------------------------------------------------------------

    def kick(self) -> None:
        self._wake.set()

    def start(self, idle_seconds: float = 1.0) -> None:
        self._task = asyncio.create_task(self._loop(idle_seconds), name="outbox-sender")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _loop(self, idle_seconds: float) -> None:
        while True:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox sender round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), idle_seconds)
            self._wake.clear()

    async def drain(self) -> int:
        """Send everything that is due now; returns how many rows were handled."""
        handled = 0
        async with self._lock:
            while True:
                rows = await outbox.claim_sendable(self.db, self.clock.now(), set(self.channels))
                if not rows:
                    return handled
                handled += len(rows)
                await self._deliver_batch(rows)

    async def _deliver_batch(self, rows: list[OutboxMessage]) -> None:
        by_chat: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[(row.channel, row.chat_id)].append(row)
        if all(self.channels[ch].limits.unlimited for ch, _ in by_chat):
            for row in rows:  # no limits to wait on: keep the exact queue order
                await self._deliver(row)
            return
        # Chats wait on their own limits; a slow chat must not hold up the others.
        await asyncio.gather(*(self._deliver_in_order(chat_rows)
                               for chat_rows in by_chat.values()))

    async def _deliver_in_order(self, rows: list[OutboxMessage]) -> None:
        for row in rows:
            await self._deliver(row)

    # --- one row ---------------------------------------------------------------------------

    def _limiter(self, channel: str, key: str, rate: Rate) -> AsyncLimiter:
        limiter = self._limiters.get((channel, key))
        if limiter is None:
            limiter = AsyncLimiter(rate.count, rate.seconds)
            self._limiters[(channel, key)] = limiter
        return limiter

    async def _pace(self, channel: Channel, out: Outgoing) -> None:
        limits = channel.limits
        if limits.jitter_seconds > 0:
            await asyncio.sleep(random.uniform(0, limits.jitter_seconds))
        if limits.overall:
            await self._limiter(channel.name, "*", limits.overall).acquire()
        if out.chat.kind is ChatKind.GROUP and limits.per_group:
            await self._limiter(channel.name, "g:" + out.chat.chat_id, limits.per_group).acquire()
        if limits.per_chat:
            await self._limiter(channel.name, "c:" + out.chat.chat_id, limits.per_chat).acquire()

    def _outgoing(self, row: OutboxMessage, channel: Channel) -> list[Outgoing]:
        buttons = tuple(Button(label, action) for label, action in row.buttons)
        text = row.text
        if buttons and not channel.capabilities.buttons:
            text += "\n" + self.renderer.render("common/button_hint",
                                                labels=[b.label for b in buttons])
            buttons = ()
        mentions = tuple(Mention(uid, name) for uid, name in row.mentions)
        parts = split_text(text, channel.capabilities.max_length)
        return [Outgoing(outbox.to_chat(row), part,
                         mentions=mentions if i == 0 else (),
                         buttons=buttons if i == len(parts) - 1 else (),
                         file=row.file_path if i == 0 else None)
                for i, part in enumerate(parts)]

    async def _attempt(self, channel: Channel, out: Outgoing,
                       call: Callable[[Outgoing], Awaitable[SentRef | None]]) -> SentRef | None:
        """One platform call, paced, with quick retries on transient errors."""
        result = None
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self.quick_retries),
            wait=_RetryAfter(wait_exponential(multiplier=self.retry_base_seconds, max=30)),
            retry=retry_if_exception_type(TransientSendError),
            reraise=True,
        ):
            with attempt:
                await self._pace(channel, out)
                result = await call(out)
        return result

    async def _send_parts(self, row: OutboxMessage, channel: Channel) -> str | None:
        first_id: str | None = row.sent_message_id
        parts = self._outgoing(row, channel)
        for number, out in enumerate(parts):
            if number < row.parts_sent:
                continue
            sent = await self._attempt(channel, out, channel.send)
            assert sent is not None
            first_id = first_id or sent.message_id
            if len(parts) > 1:
                await outbox.mark_part_sent(self.db, row.id, number + 1, first_id)
        return first_id

    async def _edit(self, row: OutboxMessage, channel: Channel) -> str | None:
        """Change a sent card in place; channels that cannot edit simply skip it."""
        if not channel.capabilities.edits or not row.sent_message_id:
            return row.sent_message_id
        editor = cast(EditingChannel, channel)
        target = row.sent_message_id
        out = Outgoing(outbox.to_chat(row), row.text[:channel.capabilities.max_length],
                       buttons=tuple(Button(label, action) for label, action in row.buttons))

        async def edit(out: Outgoing) -> None:
            await editor.edit(out, target)

        await self._attempt(channel, out, edit)
        return target

    async def _deliver(self, row: OutboxMessage) -> None:
        channel = self.channels[row.channel]
        try:
            if row.kind == outbox.Kind.EDIT:
                message_id = await self._edit(row, channel)
            else:
                message_id = await self._send_parts(row, channel)
        except UnreachableError as exc:
            log.warning("outbox %s: chat unreachable (%s)", row.id, type(exc).__name__)
            await outbox.mark_failed(self.db, row.id, f"unreachable: {exc}")
            if self.on_unreachable and row.chat_kind == ChatKind.PRIVATE.value:
                await self.on_unreachable(row)
            return
        except Exception as exc:  # transient, or a bug in an adapter: retry later, never lose
            if not isinstance(exc, TransientSendError):
                log.exception("outbox %s: unexpected delivery error", row.id)
            await self._retry_later(row, exc)
            return
        await outbox.mark_sent(self.db, row.id, message_id or "", self.clock.now())

    async def _retry_later(self, row: OutboxMessage, exc: Exception) -> None:
        if row.attempts >= MAX_ROUNDS:
            log.error("outbox %s: giving up after %s rounds", row.id, row.attempts)
            await outbox.mark_failed(self.db, row.id, repr(exc))
            return
        retry_at = self.clock.now() + outbox.retry_delay(row.attempts)
        log.warning("outbox %s: delivery failed (%s), retrying at %s", row.id,
                    type(exc).__name__, retry_at.isoformat())
        await outbox.mark_retry(self.db, row.id, repr(exc), retry_at)
