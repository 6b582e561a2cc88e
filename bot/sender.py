"""Delivers outbox rows: rate limits per chat/group/overall, retries with backoff, no loss, and
the fewest duplicates the platform allows (one open send per channel, answers recorded at once,
unknown outcomes checked or retried once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import cast

from aiolimiter import AsyncLimiter

from core.channel import (
    Channel,
    EchoingChannel,
    EditingChannel,
    Rate,
    TransientSendError,
    UncertainSendError,
    UnreachableError,
)
from core.clock import Clock
from core.events import Button, ChatKind, Mention, Outgoing, SentRef
from core.render import Renderer
from models import Database, OutboxMessage
from services import outbox

log = logging.getLogger(__name__)

MAX_ROUNDS = 8  # delivery rounds (each with a few quick retries) before a row is given up
PAGE = 200  # due rows read at once


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
    """Sends due outbox rows, one claimed row at a time per channel (see `SendLimits.in_flight`).

    The order for each row: pace (the rate limiters), claim the row, take an in-flight slot,
    call the platform, record the answer at once, free the slot. A crash can therefore leave at
    most `in_flight` rows per channel whose fate is unknown (sent, answer not yet recorded);
    every other claimed row was never sent, so taking it over after the lease costs nothing.

    What that costs the database (tests/test_sender_statements.py): one read per page of due
    rows, then per row its claim and its mark, each a single statement that commits alone
    (Database.single, no BEGIN/COMMIT); a reply handed over already claimed only its mark. The
    marks are not batched: each is written before the channel's next send, which is what keeps
    a crash's doubt to the one row in flight.
    """

    def __init__(self, db: Database, channels: dict[str, Channel], clock: Clock,
                 renderer: Renderer, *, worker: str = "sender", quick_retries: int = 3,
                 retry_base_seconds: float = 0.5,
                 on_unreachable: Callable[[OutboxMessage], Awaitable[None]] | None = None,
                 ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.renderer = renderer
        self.worker = worker
        self.quick_retries = quick_retries
        self.retry_base_seconds = retry_base_seconds
        self.on_unreachable = on_unreachable
        self._limiters: dict[tuple[str, str], AsyncLimiter] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._handed: list[OutboxMessage] = []
        self._handed_alone = True  # every unit handed over since the last round queued only those
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    # --- running ---------------------------------------------------------------------------

    def kick(self) -> None:
        self._wake.set()

    def hand_over(self, rows: list[OutboxMessage], alone: bool = False) -> None:
        """Replies an event's transaction queued already claimed for this process
        (services/uow.ReplyClaim): they go out with the next round, without being claimed
        again. If this process dies first, its lease hands them to another. `alone`: their
        unit queued nothing else, so they go before the round reads the other due rows (the
        read cost a private #帮助's round trip about a millisecond)."""
        self._handed.extend(rows)
        self._handed_alone = self._handed_alone and alone
        self.kick()

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
            await self._idle(idle_seconds)

    async def _idle(self, seconds: float) -> None:
        """Wait for a kick or `seconds`. Not `asyncio.wait_for`: on Python 3.11 it swallows a
        cancellation that arrives while the kick is being delivered (the wait finished, the
        task not yet resumed), and `stop()` then waits forever for a loop that never ends —
        with the inline SQLite driver a round takes so few loop turns that this race was hit
        on every stop of tests/test_telegram_e2e.py. `asyncio.timeout` re-raises it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def drain(self) -> int:
        """Send everything that was due when it started; returns how many rows this process
        handled.

        It reads again only when there may be more (a full page, or replies handed over
        meanwhile), not to find an empty queue: whatever is queued later kicks the loop, which
        then drains again (`_idle`), and `ClassBot.settle` drains until a round handles
        nothing. So a handed reply costs its mark alone when its unit queued nothing else, and
        one read and its mark when it must not overtake what the unit queued."""
        handled = 0
        async with self._lock:
            while True:
                handed, self._handed = self._handed, []
                alone, self._handed_alone = self._handed_alone, True
                if handed and alone:  # nothing of their units can be overtaken: at once
                    handled += await self._deliver_batch(sorted(handed, key=lambda r: r.id),
                                                         {row.id for row in handed})
                    handed = []
                    if not self._handed:
                        # Done, without reading the due rows: a kick meanwhile (a job's
                        # posts) brings the loop straight back, and rows that fall due later
                        # wait for the idle round as always. The read right after each lone
                        # reply (~1.3 ms) held up the next message of a busy chat.
                        return handled
                due = await outbox.due_rows(self.db, self.clock.now(), set(self.channels),
                                            limit=PAGE)
                if not due and not handed:
                    return handled
                # In queue order: a handed reply never overtakes what its event queued before.
                claimed = {row.id for row in handed}
                rows = sorted(handed + due, key=lambda row: row.id)
                taken = await self._deliver_batch(rows, claimed)
                handled += taken
                if not taken:  # another process claimed every one of them first
                    return handled
                if len(due) < PAGE and not self._handed:
                    return handled

    async def _deliver_batch(self, rows: list[OutboxMessage], claimed: set[int]) -> int:
        by_chat: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[(row.channel, row.chat_id)].append(row)
        if all(self.channels[ch].limits.unlimited for ch, _ in by_chat):
            # no limits to wait on: keep the exact queue order
            return await self._deliver_in_order(rows, claimed)
        # Chats wait on their own limits; a slow chat must not hold up the others.
        counts = await asyncio.gather(*(self._deliver_in_order(chat_rows, claimed)
                                        for chat_rows in by_chat.values()))
        return sum(counts)

    async def _deliver_in_order(self, rows: list[OutboxMessage], claimed: set[int]) -> int:
        return sum([await self._deliver(row, row.id in claimed) for row in rows])

    # --- pacing ----------------------------------------------------------------------------

    def _limiter(self, channel: str, key: str, rate: Rate) -> AsyncLimiter:
        limiter = self._limiters.get((channel, key))
        if limiter is None:
            limiter = AsyncLimiter(rate.count, rate.seconds)
            self._limiters[(channel, key)] = limiter
        return limiter

    def _slot(self, channel: Channel) -> asyncio.Semaphore:
        slot = self._slots.get(channel.name)
        if slot is None:
            slot = self._slots[channel.name] = asyncio.Semaphore(max(1, channel.limits.in_flight))
        return slot

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

    # --- one row ---------------------------------------------------------------------------

    async def _deliver(self, pending: OutboxMessage, claimed: bool = False) -> int:
        """Claim (unless `claimed`) and send one row; 1 if this process handled it, 0 if
        another one had it."""
        channel = self.channels[pending.channel]
        delivery = _Delivery(self, channel, pending, claimed)
        try:
            claimed = await delivery.run()
        except UnreachableError as exc:
            row = delivery.row
            log.warning("outbox %s: chat unreachable (%s)", row.id, type(exc).__name__)
            await outbox.mark_failed(self.db, row.id, f"unreachable: {exc}")
            if self.on_unreachable and row.chat_kind == ChatKind.PRIVATE.value:
                await self.on_unreachable(row)
            return 1
        except Exception as exc:  # transient, or a bug in an adapter: retry later, never lose
            if not delivery.claimed:
                raise  # failed before the claim: nothing of ours to put back
            if not isinstance(exc, TransientSendError):
                log.exception("outbox %s: unexpected delivery error", pending.id)
            await self._retry_later(delivery.row, exc)
            return 1
        return 1 if claimed else 0

    async def _retry_later(self, row: OutboxMessage, exc: Exception) -> None:
        if row.attempts >= MAX_ROUNDS:
            log.error("outbox %s: giving up after %s rounds", row.id, row.attempts)
            await outbox.mark_failed(self.db, row.id, repr(exc))
            return
        retry_at = self.clock.now() + outbox.retry_delay(row.attempts)
        log.warning("outbox %s: delivery failed (%s), retrying at %s", row.id,
                    type(exc).__name__, retry_at.isoformat())
        await outbox.mark_retry(self.db, row.id, repr(exc), retry_at)


class _Delivery:
    """One row from claim to record: the platform calls, their retries and their outcomes."""

    def __init__(self, sender: OutboxSender, channel: Channel, row: OutboxMessage,
                 claimed: bool) -> None:
        self.sender = sender
        self.channel = channel
        self.row = row  # the pending row until claimed, then the claimed one
        self.claimed = claimed

    async def run(self) -> bool:
        """False when another process claimed the row first."""
        row, channel = self.row, self.channel
        if row.kind == outbox.Kind.EDIT:
            if not channel.capabilities.edits or not row.sent_message_id:
                return await self._skip_edit()
            editor = cast(EditingChannel, channel)
            target = row.sent_message_id
            out = Outgoing(outbox.to_chat(row), row.text[:channel.capabilities.max_length],
                           buttons=tuple(Button(label, action) for label, action in row.buttons))

            async def edit(out: Outgoing) -> SentRef:
                await editor.edit(out, target)
                return SentRef(target)

            ref = await self._attempt(out, edit, idempotent=True, last=True)
            return ref is not None
        parts = self.sender._outgoing(row, channel)
        for number, out in enumerate(parts):
            if number < row.parts_sent:
                continue
            ref = await self._attempt(out, channel.send, idempotent=False,
                                      last=number == len(parts) - 1, part=number)
            if ref is None:
                return False
        return True

    async def _skip_edit(self) -> bool:
        """Channels that cannot edit simply skip it (the row is still settled as sent)."""
        if not await self._claim():
            return False
        await outbox.mark_sent(self.sender.db, self.row.id, self.row.sent_message_id or "",
                               self.sender.clock.now())
        return True

    async def _claim(self) -> bool:
        if self.claimed:
            return True
        row = await outbox.claim(self.sender.db, self.row.id, self.sender.worker)
        if row is None:
            return False
        self.row, self.claimed = row, True
        return True

    async def _attempt(self, out: Outgoing, call: Callable[[Outgoing], Awaitable[SentRef]], *,
                       idempotent: bool, last: bool, part: int = 0) -> SentRef | None:
        """Send one part: quick retries on definite failures; on an unknown outcome an echo
        check or one retry after a delay, and never a third copy. Records the outcome before
        the in-flight slot is freed. None: another process claimed the row."""
        sender, channel = self.sender, self.channel
        failures = 0
        while True:
            await sender._pace(channel, out)
            failed: TransientSendError | None = None
            ref: SentRef | None = None
            # Claimed before the slot: a claimed row not yet sent is safe to send after a
            # crash; only the send whose answer is not recorded yet is in doubt.
            if not await self._claim():
                return None
            async with sender._slot(channel):
                mark = _echo_mark(channel)
                try:
                    ref = await call(out)
                except UncertainSendError as exc:
                    # In doubt: keep the slot while checking, so no second row is in doubt.
                    ref = None if idempotent else await self._uncertain(out, exc, mark)
                    failed = exc if idempotent else None
                except TransientSendError as exc:
                    failed = exc
                if ref is not None:
                    await self._record(ref, last=last, part=part)
                    return ref
            if failed is not None:  # a definite failure: wait with the slot free
                failures += 1
                await self._wait_or_give_up(failed, failures)

    async def _wait_or_give_up(self, exc: TransientSendError, failures: int) -> None:
        """Wait before the next quick retry (retry_after, else exponential), or give up for
        this round (the row is retried later, see OutboxSender._retry_later)."""
        if failures >= self.sender.quick_retries:
            raise exc
        wait = exc.retry_after
        if wait is None:
            wait = min(30, self.sender.retry_base_seconds * 2 ** (failures - 1))
        await asyncio.sleep(wait)

    async def _uncertain(self, out: Outgoing, exc: UncertainSendError,
                         mark: int) -> SentRef | None:
        """The request may have been accepted. Returns what to record, or None to send again."""
        row = self.row
        row.uncertain += 1
        await outbox.mark_uncertain(self.sender.db, row.id, row.uncertain)
        wait = exc.retry_after if exc.retry_after is not None else self.sender.retry_base_seconds
        if self.channel.capabilities.echoes:
            echo = await cast(EchoingChannel, self.channel).find_echo(out, mark, wait)
            if echo is not None:
                log.info("outbox %s: send timed out but its echo arrived: delivered", row.id)
                return echo
        elif row.uncertain < 2:
            await asyncio.sleep(wait)
        if row.uncertain >= 2:
            log.warning("outbox %s: no answer twice; counted as delivered (never a third copy)",
                        row.id)
            return SentRef("")
        return None

    async def _record(self, ref: SentRef, *, last: bool, part: int) -> None:
        sender, row = self.sender, self.row
        first_id = row.sent_message_id or ref.message_id
        if not last:
            row.parts_sent, row.sent_message_id = part + 1, first_id
            await outbox.mark_part_sent(sender.db, row.id, part + 1, first_id)
            return
        note = None if ref.message_id else "accepted; message id unknown"
        if row.uncertain:
            note = f"accepted after {row.uncertain} unanswered send(s)"
        await outbox.mark_sent(sender.db, row.id, first_id or "", sender.clock.now(), note)


def _echo_mark(channel: Channel) -> int:
    if channel.capabilities.echoes:
        return cast(EchoingChannel, channel).echo_mark()
    return 0
