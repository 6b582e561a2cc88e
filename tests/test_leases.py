"""Several processes on one database: claims belong to process leases (services/leases.py).

A process "killed with -9" here is a bot whose database connections are dropped without a clean
stop: its lease stays in the table until it expires, exactly as after a real kill (the real
kill of a real process is in tests/test_send_faults.py).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.app import ClassBot
from core.events import ChatKind, ChatRef
from models import OutboxMessage, ProcessLease, ScheduledJob
from services import outbox
from services.leases import live_workers
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.harness import CLASS, Harness, UniqueIdChannel

LEASE = 30.0  # the default lease_seconds
PARENT = ChatRef("memory", "p-li", ChatKind.PRIVATE, "李明妈妈")


async def _queue_claimed_by(h: Harness, worker: str, text: str) -> int:
    """An outbox row in the middle of being sent by `worker` (status 'sending')."""
    async with UnitOfWork(h.db(), h.clock, h.config) as uow:
        await outbox.enqueue(uow, Draft(chat=PARENT, text=text, kind=Kind.NUDGE, urgent=True,
                                        dedupe_key=f"test:{text}"))
    async with h.db().session() as session, session.begin():
        row_id = await session.scalar(select(OutboxMessage.id)
                                      .where(OutboxMessage.dedupe_key == f"test:{text}"))
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                              .values(status="sending", claimed_by=worker))
    assert row_id is not None
    return row_id


async def _started(h: Harness, channel_name: str = "memory") -> tuple[ClassBot, UniqueIdChannel]:
    channel = UniqueIdChannel(name=channel_name)
    bot = ClassBot(h.config, [channel], h.clock)
    await bot.start(background=False)
    return bot, channel


async def _kill(bot: ClassBot) -> None:
    """Like kill -9: no clean stop, so the lease is left to expire."""
    await bot.db.dispose()


async def _status(h: Harness, row_id: int) -> str:
    async with h.db().session() as session:
        return str(await session.scalar(select(OutboxMessage.status)
                                        .where(OutboxMessage.id == row_id)))


def _later(h: Harness, seconds: float) -> None:
    h.clock.set(h.clock.now() + timedelta(seconds=seconds))


async def test_a_live_process_keeps_its_claims(bound: Harness) -> None:
    live, live_channel = await _started(bound)
    try:
        row = await _queue_claimed_by(bound, live.worker, "还在发送")
        # Today's bug: a second process starting reset every 'sending' row and sent it again.
        async with bound.second_process() as (other, other_channel):
            for _ in range(6):  # three minutes in which the live process keeps beating
                _later(bound, LEASE / 2)
                await live.settle()
                await other.settle()
            assert other_channel.sent == [] and bound.channel.sent == []
            assert await _status(bound, row) == "sending"
    finally:
        await live.stop()
    assert live_channel.sent == []


async def test_a_dead_process_rows_are_taken_over_after_the_lease_not_before(
        bound: Harness) -> None:
    dead, _ = await _started(bound)
    row = await _queue_claimed_by(bound, dead.worker, "发送中断")
    await _kill(dead)
    _later(bound, LEASE - 1)
    await bound.bot.settle()
    assert bound.channel.sent == [] and await _status(bound, row) == "sending"
    _later(bound, LEASE / 3 + 1)  # the next heartbeat after the expiry takes it over
    await bound.bot.settle()
    assert [s.text for s in bound.channel.sent] == ["发送中断"]
    assert await _status(bound, row) == "sent"
    assert dead.worker not in await live_workers(bound.db(), bound.clock.now())


async def test_only_a_process_serving_the_channel_takes_over(bound: Harness) -> None:
    dead, _ = await _started(bound)
    row = await _queue_claimed_by(bound, dead.worker, "别的渠道")
    await _kill(dead)
    console, console_channel = await _started(bound, "console")
    try:
        _later(bound, LEASE * 3)
        await console.settle()
        assert console_channel.sent == [] and await _status(bound, row) == "sending"
        await bound.bot.settle()
        assert [s.text for s in bound.channel.sent] == ["别的渠道"]
    finally:
        await console.stop()


async def test_a_dead_process_jobs_run_again_after_the_lease(bound: Harness) -> None:
    await bound.say("王老师", CLASS, "#通知 周五春游\n请带好水和帽子。")
    bound.clock.set(bound.clock.now() + timedelta(hours=3))  # the nudge is due
    dead, _ = await _started(bound)
    async with bound.db().session() as session, session.begin():
        claimed = await session.execute(
            update(ScheduledJob).where(ScheduledJob.ref_id.is_not(None),
                                       ScheduledJob.status == "pending",
                                       ScheduledJob.due_at <= bound.clock.now())
            .values(status="running", claimed_by=dead.worker))
    assert claimed.rowcount == 1  # type: ignore[attr-defined]
    await _kill(dead)
    bound.channel.clear()
    _later(bound, LEASE - 1)
    await bound.bot.settle()
    assert bound.channel.sent == [], "still the dead process's job"
    _later(bound, LEASE / 3 + 1)  # the next heartbeat after the expiry takes it over
    await bound.bot.settle()
    nudges = bound.channel.sent
    assert sorted(s.where for s in nudges if s.private) == ["张华爸爸", "李明妈妈", "赵雪爸爸"]


async def test_a_clean_stop_ends_the_lease(bound: Harness) -> None:
    other, _ = await _started(bound)
    assert other.worker in await live_workers(bound.db(), bound.clock.now())
    await other.stop()
    async with bound.db().session() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessLease).where(
            ProcessLease.worker == other.worker)) == 0


async def test_two_processes_run_a_day_with_nothing_lost_or_doubled(bound: Harness) -> None:
    """Both processes serve the channel and settle at every step of a school day at once: every
    queued message goes out exactly once, from one of them."""
    async with bound.db().session() as session:
        before = await session.scalar(select(func.max(OutboxMessage.id))) or 0
    async with bound.second_process() as (other, other_channel):
        say = bound.say
        await say("王老师", CLASS, "#通知 周五春游\n请带好水和帽子。")
        await say("王老师", CLASS, "#紧急通知 明天停课\n暴雨")
        await say("王老师", CLASS, "#家长会 12月3日 19:00 | 三楼会议室 | 期末复习")
        await say("李明妈妈", CLASS, "收到")
        await say("张华爸爸", CLASS, "参加 2人")
        step = bound.clock.now()
        end = step + timedelta(days=2, hours=12)
        turn = 0
        while step < end:
            step += timedelta(minutes=30)
            bound.clock.set(step)
            # Both settle at once; which one starts first alternates, so each wins some claims
            # (on PostgreSQL the one that starts first would otherwise take every row).
            both = [bound.bot.settle(), other.settle()]
            turn += 1
            await asyncio.gather(*(both if turn % 2 else both[::-1]))
        sent = bound.channel.sent + other_channel.sent
        async with bound.db().session() as session:
            rows = (await session.execute(select(OutboxMessage.chat_title, OutboxMessage.text,
                                                 OutboxMessage.status)
                                          .where(OutboxMessage.kind != Kind.EDIT,
                                                 OutboxMessage.id > before))).all()
    assert {status for _, _, status in rows} == {"sent"}, "nothing lost or left in flight"
    assert len(rows) > 10 and len(other_channel.sent) > 0 and len(bound.channel.sent) > 0
    # Each queued row once (two reminders may share a text: compare the multisets; the memory
    # channel has no buttons, so the sender wrote their labels under the text).
    assert (Counter((s.where, s.text.split("\n👉")[0]) for s in sent)
            == Counter((title, text) for title, text, _ in rows))
