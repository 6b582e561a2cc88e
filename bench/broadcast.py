"""Telegram delivery: a nudge broadcast under the flood limits, and the per-update round trip.

Why: a notice to a school year means hundreds of private nudges at once. Telegram refuses more
than ~30 messages/s overall, 1/s per chat and 20/min per group with 429s; a bot that ignores
that loses messages or crawls on retry_after. This runs the real outbox sender and the real
TelegramChannel (python-telegram-bot 22) against the fake Bot API on 127.0.0.1 enforcing those
limits, and prints: total time against the rate-limit floor, the 429s the server returned, and
messages lost. Then, in the same run and on the same server, the round trip of one classbot
command (update in → pipeline → outbox → outbox sender → sendMessage) against PTB's bare echo
handler, as a ratio: what the framework costs per message on top of Telegram's own path.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/broadcast.py`
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("PTB_TIMEDELTA", "1")

from sqlalchemy import func, select
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.app import ClassBot
from bot.channels.telegram import TelegramChannel
from bot.pipeline import EventPipeline
from bot.sender import OutboxSender
from core.channel import SendLimits
from core.clock import SystemClock
from core.events import ChatKind, ChatRef
from models import OutboxMessage
from services import outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.fake_telegram import updates
from tests.fake_telegram.rig import telegram_config
from tests.fake_telegram.server import FakeTelegram, Limits

logging.getLogger("telegram").setLevel(logging.CRITICAL)
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Broadcast:
    messages: int
    seconds: float
    floor: float
    rejected: int
    lost: int


@dataclass(frozen=True)
class Trips:
    """One side's round trips, in seconds: until the fake server had the reply (`Call.at`,
    what a user waits for), until the bench's own waiter woke up to see it, and the process's
    CPU time until the server had the reply (all of it on the one event loop: the bot, PTB,
    the fake server; unlike the wall clock it hardly moves with the machine's load)."""

    served: list[float]
    woken: list[float]
    cpu: list[float]


@dataclass(frozen=True)
class RoundTrip:
    """Medians in ms, from the push of the update until the server had the reply: spaced (each
    update alone) and back-to-back (the next update is pushed as soon as the previous reply
    is seen). `*_woken_ms`: the same trips until the bench's waiter woke (see `_round_trips`)."""

    classbot_ms: float
    echo_ms: float
    classbot_b2b_ms: float
    echo_b2b_ms: float
    # PTB's echo handler answering with classbot's reply instead of the 3 characters it got:
    # the same payload both ways, so the ratio to it is classbot's own cost alone.
    same_reply_ms: float = 0.0
    same_reply_b2b_ms: float = 0.0
    reply_chars: int = 0
    classbot_woken_ms: float = 0.0
    echo_woken_ms: float = 0.0
    classbot_b2b_woken_ms: float = 0.0
    echo_b2b_woken_ms: float = 0.0
    classbot_cpu_ms: float = 0.0
    echo_cpu_ms: float = 0.0
    classbot_b2b_cpu_ms: float = 0.0
    echo_b2b_cpu_ms: float = 0.0


GAP_SECONDS = 0.05  # between spaced pings: long enough for the previous reply to settle


def floor_seconds(messages: int, per_second: int = 30) -> float:
    """The fastest the fake's rules allow (one message per chat): a full bucket of 30 at once,
    then 30 a second."""
    return max(0.0, (messages - per_second) / per_second)


async def broadcast(fake: FakeTelegram, db_dir: Path, private: int, groups: int) -> Broadcast:
    config = telegram_config(db_dir / "broadcast.db", fake)
    channel = TelegramChannel(fake.token, config.telegram)  # Telegram's real limits
    bot = ClassBot(config, [channel], SystemClock())
    await bot.start(background=False)
    try:
        async with UnitOfWork(bot.db, bot.clock, config) as uow:  # what a nudge job queues
            targets = [ChatRef("telegram", str(10_000 + i), ChatKind.PRIVATE, f"家长{i}")
                       for i in range(private)]
            targets += [ChatRef("telegram", str(-100_000 - i), ChatKind.GROUP, f"班级{i}")
                        for i in range(groups)]
            for n, chat in enumerate(targets):
                await outbox.enqueue(uow, Draft(
                    chat=chat, kind=Kind.NUDGE, urgent=True, dedupe_key=f"bench:{n}",
                    text=f"{chat.title}您好，通知 #1「周五春游」您还没有确认，看完请回复“收到”。"))
        rejected_before = len(fake.rejected)
        start = time.perf_counter()
        await bot.sender.drain()
        seconds = time.perf_counter() - start
        async with bot.db.session() as session:
            unsent = await session.scalar(select(func.count()).where(
                OutboxMessage.status != "sent")) or 0
        delivered = {int(c.params["chat_id"]) for c in fake.sent()}
        lost = len(targets) - len(delivered & {int(t.chat_id) for t in targets})
        return Broadcast(len(targets), seconds, floor_seconds(len(targets)),
                         len(fake.rejected) - rejected_before, max(lost, unsent))
    finally:
        await bot.stop()


class Stages:
    """`--trace`: when each step of a round trip was first reached, in ms after the update was
    pushed (medians printed per step), for classbot and for the echo alike, to show where
    the time goes. Steps a side does not have (the echo has no event transaction) are absent."""

    STEPS = (  # (class, method, step on entry, step on return)
        (Application, "process_update", "1 PTB's Application has the update", None),
        (BaseHandler, "handle_update", "2 the handler runs", None),
        (EventPipeline, "handle", "3 event transaction begins", "4 event committed"),
        (OutboxSender, "drain", "5 sender round begins", None),
        (ExtBot, "send_message", "6 sendMessage begins", None),
    )

    def __init__(self) -> None:
        self.start = 0.0
        self.now: dict[str, float] = {}
        self.seen: dict[str, list[float]] = defaultdict(list)

    def mark(self, step: str, at: float | None = None) -> None:
        if self.start and step not in self.now:
            self.now[step] = ((time.monotonic() if at is None else at) - self.start) * 1000

    def install(self) -> None:
        for cls, name, entry, exit_ in self.STEPS:
            setattr(cls, name, self._wrapped(getattr(cls, name), entry, exit_))

    def _wrapped(self, method: Callable[..., Awaitable[Any]], entry: str,
                 exit_: str | None) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            self.mark(entry)
            result = await method(*args, **kwargs)
            if exit_:
                self.mark(exit_)
            return result
        return timed

    def begin(self, start: float) -> None:
        self.start, self.now = start, {}

    def end(self, served_at: float) -> None:
        self.mark("7 the server has the sendMessage", served_at)
        self.mark("8 the bench's waiter wakes")
        for step, ms in self.now.items():
            self.seen[step].append(ms)
        self.start = 0.0

    def report(self, title: str) -> None:
        print(f"trace          {title}: median ms after the push")
        for step in sorted(self.seen):
            print(f"               {step:36s} {statistics.median(self.seen[step]):7.2f}")
        self.seen.clear()


TRACE: Stages | None = None


async def _round_trips(fake: FakeTelegram, chat: dict, sender: dict, text: str,
                       count: int, gap: float = 0.0) -> Trips:
    """Round trips, each timed until the fake server had the reply (the time it stamps on the
    call, `Call.at`), which is what the round trip is. Not until `wait_for` returns: the
    server, the bot and this waiter share one event loop, and the waiter needs four turns of
    it after the server's handler (the Condition's lock, wait_for's inner task) while the
    bot's sender carries straight on with what follows a send — reading PTB's answer,
    marking the row sent, reading what else is due — so the waiter's clock included up to
    ~5 ms of bookkeeping no user waits for (the echo's handler has ~1 ms of it). The
    waiter's figure is kept beside it (`woken`)."""
    served: list[float] = []
    woken: list[float] = []
    cpu: list[float] = []
    for _ in range(count):
        await asyncio.sleep(gap)
        mark = len(fake.calls)
        cpu_start = time.process_time()
        start = time.monotonic()  # the clock Call.at is stamped with
        if TRACE:
            TRACE.begin(start)
        await fake.push(updates.message(chat, sender, text))
        call = await fake.wait_for("sendMessage", lambda p: int(p["chat_id"]) == chat["id"],
                                   after=mark)
        woken.append(time.monotonic() - start)
        served.append(call.at - start)
        cpu.append(call.cpu - cpu_start)
        if TRACE:
            TRACE.end(call.at)
    return Trips(served, woken, cpu)


@dataclass(frozen=True)
class Medians:
    """One side's medians in seconds: spaced and back to back, served, woken and CPU."""

    spaced: float
    b2b: float
    spaced_woken: float
    b2b_woken: float
    spaced_cpu: float
    b2b_cpu: float


async def _measure(fake: FakeTelegram, user_id: int, name: str, count: int,
                   title: str) -> Medians:
    """`#帮助` from one parent in a private chat: 3 warm-up trips, then `count` spaced and
    `count` back to back (traced with --trace)."""
    parent = updates.person(user_id, name)
    chat = updates.private(parent)
    await _round_trips(fake, chat, parent, "#帮助", 3)  # warm-up
    runs = []
    for gap, mode in ((GAP_SECONDS, "spaced"), (0.0, "back to back")):
        if TRACE:
            TRACE.seen.clear()
        runs.append(await _round_trips(fake, chat, parent, "#帮助", count, gap))
        if TRACE:
            TRACE.report(f"{title}, {mode}")
    spaced, b2b = runs
    return Medians(statistics.median(spaced.served), statistics.median(b2b.served),
                   statistics.median(spaced.woken), statistics.median(b2b.woken),
                   statistics.median(spaced.cpu), statistics.median(b2b.cpu))


async def classbot_round_trip(fake: FakeTelegram, db_dir: Path, count: int) -> Medians:
    config = telegram_config(db_dir / "roundtrip.db", fake)
    channel = TelegramChannel(fake.token, config.telegram, limits=SendLimits())
    bot = ClassBot(config, [channel], SystemClock())
    await bot.start(background=True)
    try:
        return await _measure(fake, 555, "李明妈妈", count, "classbot")
    finally:
        await bot.stop()


async def echo_round_trip(fake: FakeTelegram, count: int, reply: str | None = None
                          ) -> Medians:
    """PTB's bare echo; with `reply`, the same handler answering with that text."""
    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(reply or update.effective_message.text or "")

    app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
           .base_file_url(fake.base_url.replace("/bot", "/file/bot")).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            return await _measure(fake, 556, "张华爸爸", count,
                                  "echo (same reply)" if reply else "echo")
        finally:
            await app.updater.stop()
            await app.stop()


async def run(private: int, groups: int, trips: int) -> tuple[Broadcast, RoundTrip]:
    fake = await FakeTelegram(limits=Limits()).start()
    try:
        with tempfile.TemporaryDirectory(prefix="classbot-bench-") as tmp:
            result = await broadcast(fake, Path(tmp), private, groups)
            fake.limits = None  # the round trip measures cost, not flood control
            bot = await classbot_round_trip(fake, Path(tmp), trips)
            reply = next(c.params["text"] for c in reversed(fake.calls)
                         if c.method == "sendMessage")
            echo = await echo_round_trip(fake, trips)
            same = await echo_round_trip(fake, trips, reply)
    finally:
        await fake.stop()
    return result, RoundTrip(bot.spaced * 1000, echo.spaced * 1000,
                             bot.b2b * 1000, echo.b2b * 1000,
                             same.spaced * 1000, same.b2b * 1000, len(reply),
                             bot.spaced_woken * 1000, echo.spaced_woken * 1000,
                             bot.b2b_woken * 1000, echo.b2b_woken * 1000,
                             bot.spaced_cpu * 1000, echo.spaced_cpu * 1000,
                             bot.b2b_cpu * 1000, echo.b2b_cpu * 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--private", type=int, default=600, help="private chats (600)")
    parser.add_argument("--groups", type=int, default=30, help="group chats (30)")
    parser.add_argument("--trips", type=int, default=50, help="round trips each side (50)")
    parser.add_argument("--trace", action="store_true",
                        help="print where each side's round trip spends its time")
    args = parser.parse_args(argv)
    if args.trace:
        global TRACE
        TRACE = Stages()
        TRACE.install()
    print(f"load average   {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    b, r = asyncio.run(run(args.private, args.groups, args.trips))
    print(f"broadcast      {b.messages} messages ({args.private} private + {args.groups} groups)")
    print(f"seconds        {b.seconds:.2f} (rate-limit floor {b.floor:.2f}, "
          f"ratio {b.seconds / b.floor if b.floor else float('nan'):.3f})")
    print(f"429s           {b.rejected}")
    print(f"lost           {b.lost}")
    print(f"round trip     classbot {r.classbot_ms:.1f} ms, PTB echo {r.echo_ms:.1f} ms "
          f"(until the server had the reply; median of {args.trips}, "
          f"spaced {GAP_SECONDS * 1000:.0f} ms), "
          f"ratio {r.classbot_ms / r.echo_ms:.2f}")
    print(f"back-to-back   classbot {r.classbot_b2b_ms:.1f} ms, PTB echo {r.echo_b2b_ms:.1f} ms, "
          f"ratio {r.classbot_b2b_ms / r.echo_b2b_ms:.2f}")
    print(f"same reply     PTB echo sending classbot's {r.reply_chars}-character reply: "
          f"spaced {r.same_reply_ms:.1f} ms (classbot {r.classbot_ms / r.same_reply_ms:.2f}×), "
          f"back to back {r.same_reply_b2b_ms:.1f} ms "
          f"(classbot {r.classbot_b2b_ms / r.same_reply_b2b_ms:.2f}×)")
    print(f"CPU per trip   (the process's, push → server had the reply) spaced "
          f"{r.classbot_cpu_ms:.1f} / {r.echo_cpu_ms:.1f} ms, "
          f"ratio {r.classbot_cpu_ms / r.echo_cpu_ms:.2f}; back to back "
          f"{r.classbot_b2b_cpu_ms:.1f} / {r.echo_b2b_cpu_ms:.1f} ms, "
          f"ratio {r.classbot_b2b_cpu_ms / r.echo_b2b_cpu_ms:.2f}")
    print(f"waiter woken   (until the bench saw the reply, bookkeeping after the send included) "
          f"spaced {r.classbot_woken_ms:.1f} / {r.echo_woken_ms:.1f} ms, "
          f"ratio {r.classbot_woken_ms / r.echo_woken_ms:.2f}; back to back "
          f"{r.classbot_b2b_woken_ms:.1f} / {r.echo_b2b_woken_ms:.1f} ms, "
          f"ratio {r.classbot_b2b_woken_ms / r.echo_b2b_woken_ms:.2f}")
    print(f"python {sys.version.split()[0]}, load average after "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if b.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
