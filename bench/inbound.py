"""Inbound throughput: messages/s through router + services + outbox on SQLite (WAL).

Why: every incoming message is one IMMEDIATE write transaction (de-duplication row, identity
touch, the handler's change and its outbox rows), and a class group's busiest minute is the
flood of 收到 right after a notice. This measures that path end to end — memory channel in,
pipeline, SQLite file database, outbox sender out — so a regression in any layer shows up as a
number instead of as a slow morning for a teacher. Setup (roster, binding, 40 registrations,
the notice) is not timed; the N messages and the outbox deliveries they cause are.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/inbound.py`

from sqlalchemy import func, select

from bot.channels.script import PRIVATE, Say
from models import NoticeAck, OutboxMessage
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


def students() -> list[str]:
    return [f"{surname}小{'明华雪'[i % 3]}" for i, surname in enumerate(SURNAMES[:FAMILIES])]


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


async def run(n: int, check: bool) -> Result:
    kids = students()
    with tempfile.TemporaryDirectory(prefix="classbot-bench-") as tmp:
        seed = {"name": CLASS, "head_teacher": {"name": TEACHER}, "roster": kids}
        h = await Harness(make_config(Path(tmp) / "bench.db", classes=[seed])).start()
        try:
            await h.say(TEACHER, CLASS, f"#绑定 {CLASS}")
            for kid in kids:
                await h.say(parent(kid), CLASS, f"#登记 {kid} 妈妈")
            notice = await h.say(TEACHER, CLASS, "#通知 周五春游\n请带好水和帽子，早上7:50到校。")
            assert any("周五春游" in s.text for s in notice), "notice was not posted"
            h.channel.clear()
            before = await sent_rows(h)
            t0 = h.clock.now()  # one message a second, so times (last seen, acked at) move
            events = [h.channel.event_for(say, t0 + timedelta(seconds=i), message_id=f"bench-{i}")
                      for i, say in enumerate(workload(n, kids), 1)]
            bot = h.bot
            start = time.perf_counter()
            for i, event in enumerate(events, 1):
                h.clock.set(event.received_at)
                await bot.handle_event(event)
                if i % SETTLE_EVERY == 0:
                    await bot.settle()
            await bot.settle()
            seconds = time.perf_counter() - start
            sent = await sent_rows(h) - before
            if check:
                commands = sum(e.text.startswith("#") for e in events)
                await verify(h, sent, commands)
        finally:
            await h.stop()
    return Result(n, seconds, sent)


async def sent_rows(h: Harness) -> int:
    async with h.db().session() as s:
        stmt = select(func.count()).where(OutboxMessage.status == "sent")
        return (await s.scalar(stmt)) or 0


async def verify(h: Harness, sent: int, commands: int) -> None:
    """The bench must have done the work it claims: acks recorded, replies sent once each."""
    async with h.db().session() as s:
        acked = await s.scalar(select(func.count(func.distinct(NoticeAck.student_id))))
        rows = await s.scalar(select(func.count(OutboxMessage.id)))
        keys = await s.scalar(select(func.count(func.distinct(OutboxMessage.dedupe_key))))
        by_status = dict((await s.execute(select(OutboxMessage.status, func.count())
                                          .group_by(OutboxMessage.status))).all())
    assert acked == FAMILIES, f"only {acked}/{FAMILIES} families acked (need >= 50 messages)"
    assert rows == keys, f"{rows - (keys or 0)} duplicate outbox rows"
    assert set(by_status) == {"sent"}, f"outbox not drained: {by_status}"
    assert sent == commands, f"{sent} outbox rows sent for {commands} commands (one each)"
    assert len(h.channel.sent) == sent, f"{len(h.channel.sent)} messages for {sent} rows"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="timed messages (2000)")
    parser.add_argument("--check", action="store_true", help="assert the work was really done")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.messages, args.check))
    print(f"messages       {result.messages}")
    print(f"seconds        {result.seconds:.2f}")
    print(f"messages/s     {result.messages / result.seconds:.1f}")
    print(f"outbox sent    {result.sent_rows}")
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
    if args.check:
        print("check          ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
