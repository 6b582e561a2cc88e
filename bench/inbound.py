"""Inbound throughput: messages/s through router + services + outbox on SQLite (WAL).

Why: every incoming message is one IMMEDIATE write transaction (de-duplication row, identity
touch, the handler's change and its outbox rows), and a class group's busiest minute is the
flood of 收到 right after a notice. This measures that path end to end — memory channel in,
pipeline, SQLite file database, outbox sender out — so a regression in any layer shows up as a
number instead of as a slow morning for a teacher. Set-up (roster, binding, 40 registrations,
the notice) is not timed; the N messages and the outbox deliveries they cause are.

Two ways in: one message at a time (each its own transaction) and `--together K` messages
handed over at once (as a webhook server or a Telegram getUpdates page does), which the
pipeline writes as one transaction with a savepoint each (group commit). Next to each figure,
measured in the same run on a copy of the same database: the stdlib-sqlite3 floor for the same
statements (bench/floor.py), one message per transaction and K per transaction, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/inbound.py`

from sqlalchemy import func, select

from bench.floor import floor
from bot.channels.script import PRIVATE, Say
from models import NoticeAck, OutboxMessage
from models import db as models_db
from tests.database import on_postgres
from tests.harness import CLASS, Harness, make_config

FAMILIES = 40
SETTLE_EVERY = 50
TEACHER = "王老师"
SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
ACKS = ("收到", "收到了", "好的")
CHATTER = "明天几点到校？"


@dataclass(frozen=True)
class Result:
    messages: int
    seconds: float
    sent_rows: int
    floor_alone: float  # stdlib sqlite3, one message per transaction, messages/s
    floor_together: float  # the same, `together` messages per transaction
    cpu_seconds: float = 0.0  # the process's CPU time (all threads) over the timed part

    @property
    def cpu_ms(self) -> float:
        """CPU per message: what a quiet machine's rate would be bounded by (1000 / this)."""
        return self.cpu_seconds * 1000 / self.messages

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


GIVEN = "小大子文思雨佳欣梓一可若天嘉浩宇晨俊博乐安心怡语诗梦雅静悦清志国建立春秋冬夏远航家和"


def students(families: int = FAMILIES) -> list[str]:
    """Distinct names: the first 40 as always (李小明 …), then other given names."""
    if families > len(SURNAMES) * len(GIVEN):
        raise SystemExit(f"at most {len(SURNAMES) * len(GIVEN)} families")
    return [f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i // len(SURNAMES)]}{'明华雪'[i % 3]}"
            for i in range(families)]


def parent(student: str) -> str:
    return f"{student}妈妈"


def workload(n: int, kids: list[str]) -> list[Say]:
    """Per 20 messages: 16 acks (parents cycling), 2 chatter, 1 private #帮助, 1 #未读."""
    says: list[Say] = []
    acks = 0
    for i in range(n):
        slot = i % 20
        if slot < 16:
            kid = kids[acks % len(kids)]
            says.append(Say(parent(kid), CLASS, ACKS[acks % len(ACKS)]))
            acks += 1
        elif slot < 18:
            says.append(Say(parent(kids[i % len(kids)]), CLASS, CHATTER))
        elif slot == 18:
            says.append(Say(parent(kids[i % len(kids)]), PRIVATE, "#帮助"))
        else:
            says.append(Say(TEACHER, CLASS, "#未读"))
    return says


async def run(n: int, check: bool, together: int = 1, families: int = FAMILIES) -> Result:
    kids = students(families)
    with tempfile.TemporaryDirectory(prefix="classbot-bench-") as tmp:
        seed = {"name": CLASS, "head_teacher": {"name": TEACHER}, "roster": kids}
        h = await Harness(make_config(Path(tmp) / "bench.db", classes=[seed])).start()
        try:
            await h.say(TEACHER, CLASS, f"#绑定 {CLASS}")
            for kid in kids:
                await h.say(parent(kid), CLASS, f"#登记 {kid} 妈妈")
            notice = await h.say(TEACHER, CLASS, "#通知 周五春游\n请带好水和帽子，早上7:50到校。")
            assert any("周五春游" in s.text for s in notice), "notice was not posted"
            await warm_up(h, kids)
            h.channel.clear()
            floor_alone = floor_together = 0.0  # no stdlib floor for PostgreSQL
            if not on_postgres():
                copy = Path(tmp) / "floor.db"
                with sqlite3.connect(Path(tmp) / "bench.db") as src, \
                        sqlite3.connect(copy) as dst:
                    src.backup(dst)  # a consistent copy, the WAL included (untimed)
                floor_alone = floor(copy, n, 1)
                floor_together = floor(copy, n, max(together, 2))
            before = await sent_rows(h)
            replies_before = await sent_rows(h, replies_only=True)
            # The bot's clock moves as it would in the flood being measured: a millisecond a
            # message (1,000 msg/s). It moved a second a message before, so 2,000 messages ran
            # 33 minutes of lease heartbeats into two seconds of a flood, a fifth of the work.
            t0 = h.clock.now()
            events = [h.channel.event_for(say, t0 + timedelta(milliseconds=i),
                                          message_id=f"bench-{i}")
                      for i, say in enumerate(workload(n, kids), 1)]
            bot = h.bot
            start, cpu_start = time.perf_counter(), time.process_time()
            if together <= 1:
                for i, event in enumerate(events, 1):
                    h.clock.set(event.received_at)
                    await bot.handle_event(event)
                    if i % SETTLE_EVERY == 0:
                        await bot.settle()
            else:
                for first in range(0, len(events), together):
                    chunk = events[first:first + together]
                    h.clock.set(chunk[-1].received_at)
                    await asyncio.gather(*(bot.handle_event(e) for e in chunk))
                    if (first // together + 1) % max(1, SETTLE_EVERY // together) == 0:
                        await bot.settle()
            await bot.settle()
            seconds = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            sent = await sent_rows(h) - before
            if check:
                # The notice card's edits are spaced out (a busy card is edited at most every
                # few seconds): the last one may still wait when a flood of new 收到 ends.
                h.clock.set(h.clock.now() + timedelta(minutes=1))
                await bot.settle()
                commands = sum(e.text.startswith("#") for e in events)
                replies = await sent_rows(h, replies_only=True) - replies_before
                acks = sum(not e.text.startswith("#") and e.text != CHATTER for e in events)
                await verify(h, sent, replies, commands, min(acks, families))
        finally:
            await h.stop()
    return Result(n, seconds, sent, floor_alone, floor_together, cpu)


async def warm_up(h: Harness, kids: list[str]) -> None:
    """A running bot has compiled its templates and filled its caches long before a flood:
    one message of each kind that changes nothing the timed part counts (chatter, #帮助,
    #未读 — no 收到), untimed, so the figure is the steady state and not Jinja compiling
    the first #帮助 (about 0.3 s for the three templates, a third of a 300-message run)."""
    for say in (Say(parent(kids[0]), CLASS, CHATTER), Say(parent(kids[0]), PRIVATE, "#帮助"),
                Say(TEACHER, CLASS, "#未读")):
        await h.say(say.speaker, say.chat, say.text)
    await h.bot.settle()


async def sent_rows(h: Harness, *, replies_only: bool = False) -> int:
    """Rows sent so far (replies only: card edits left out)."""
    stmt = select(func.count()).where(OutboxMessage.status == "sent")
    if replies_only:
        stmt = stmt.where(OutboxMessage.kind != "edit")
    async with h.db().session() as s:
        return (await s.scalar(stmt)) or 0


async def verify(h: Harness, sent: int, replies: int, commands: int, families: int) -> None:
    """The bench must have done the work it claims: acks recorded, replies sent once each."""
    async with h.db().session() as s:
        acked = await s.scalar(select(func.count(func.distinct(NoticeAck.student_id))))
        rows = await s.scalar(select(func.count(OutboxMessage.id)))
        keys = await s.scalar(select(func.count(func.distinct(OutboxMessage.dedupe_key))))
        by_status = dict((await s.execute(select(OutboxMessage.status, func.count())
                                          .group_by(OutboxMessage.status))).all())
    assert acked == families, f"only {acked}/{families} families acked"
    assert rows == keys, f"{rows - (keys or 0)} duplicate outbox rows"
    assert set(by_status) == {"sent"}, f"outbox not drained: {by_status}"
    assert replies == commands, f"{replies} replies sent for {commands} commands (one each)"
    assert len(h.channel.sent) == replies, f"{len(h.channel.sent)} messages for {replies} replies"


MODES = (  # (name, SQLite through models/inline.py, messages handed over together)
    ("aiosqlite, 1 at a time", False, 1),
    ("inline, 1 at a time", True, 1),
    ("inline, {k} together", True, 0),
)


def run_mode(n: int, check: bool, inline: bool, together: int, families: int) -> Result:
    models_db.INLINE_SQLITE = inline
    try:
        return asyncio.run(run(n, check, together, families))
    finally:
        models_db.INLINE_SQLITE = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="timed messages (2000)")
    parser.add_argument("--check", action="store_true", help="assert the work was really done")
    parser.add_argument("--together", type=int, default=50,
                        help="messages handed over at once in the group-commit run (50)")
    parser.add_argument("--runs", type=int, default=3, help="runs per mode; medians shown (3)")
    parser.add_argument("--families", type=int, default=FAMILIES,
                        help="families registered in the one class, whose 收到 cycle "
                             "through them (40, a class's usual size: after the first 40 most "
                             "收到 are repeats; a class of hundreds shows what grows with it)")
    args = parser.parse_args(argv)
    postgres = on_postgres()
    modes = [(name.format(k=args.together), inline, together or args.together)
             for name, inline, together in MODES if not (postgres and not inline)]
    if postgres:  # one driver there (asyncpg); the inline switch only concerns SQLite files
        modes = [(name.replace("inline", "asyncpg"), inline, together)
                 for name, inline, together in modes]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"python {sys.version.split()[0]}, "
          f"{'postgresql' if postgres else f'sqlite {sqlite3.sqlite_version}'}; "
          f"{args.messages} messages, {args.families} families, median of {args.runs}, "
          "modes interleaved")
    results: dict[str, list[Result]] = {name: [] for name, _, _ in modes}
    for _ in range(args.runs):  # interleaved, so a change in the machine's load hits every mode
        for name, inline, together in modes:
            results[name].append(run_mode(args.messages, args.check, inline, together,
                                          args.families))
    first = statistics.median(r.rate for r in results[modes[0][0]])
    print(f"{'mode':<26}{'msg/s':>8}{'× first':>9}{'CPU ms/msg':>12}{'floor msg/s':>13}"
          f"{'floor/bot':>11}{'sent':>6}")
    for name, _, together in modes:
        rate = statistics.median(r.rate for r in results[name])
        base = statistics.median(r.floor_alone if together == 1 else r.floor_together
                                 for r in results[name])
        floor_text = f"{base:>13.0f}{base / rate:>10.1f}×" if base else f"{'—':>13}{'—':>11}"
        cpu = statistics.median(r.cpu_ms for r in results[name])
        print(f"{name:<26}{rate:>8.1f}{rate / first:>8.2f}×{cpu:>12.2f}{floor_text}"
              f"{results[name][0].sent_rows:>6}")
    if args.check:
        print("check ok: every family acked, one reply per command, outbox drained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
