"""The outbox and its sender: quiet hours, retries, unreachable chats, de-duplication, restarts."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select

from bot.sender import split_text
from core.channel import Rate, SendLimits, TransientSendError, UnreachableError
from core.events import ChatKind, ChatRef
from models import Notice, OutboxMessage
from services import notices, outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.harness import CLASS, Harness, make_config

NOTICE = "#通知 周五春游\n请带好水和帽子。"


async def count(h: Harness, model: type, *where: object) -> int:
    async with h.db().session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_quiet_hours_hold_a_notice_but_not_the_reply(bound: Harness) -> None:
    await bound.at("2026-12-01 22:00")
    sent = await bound.say("王老师", CLASS, NOTICE)
    assert len(sent) == 1 and "免打扰" in sent[0].text and "07:00" in sent[0].text
    assert await bound.at("2026-12-02 06:59") == []
    released = await bound.at("2026-12-02 07:00")
    assert len(released) == 1 and "【通知 #1】周五春游" in released[0].text


async def test_urgent_notice_goes_out_in_quiet_hours(bound: Harness) -> None:
    await bound.at("2026-12-01 23:30")
    sent = await bound.say("王老师", CLASS, "#紧急通知 明天停课\n暴雨")
    assert len(sent) == 1 and "【紧急通知 #1】" in sent[0].text


async def test_nudge_that_falls_in_quiet_hours_waits_for_morning(bound: Harness) -> None:
    await bound.at("2026-12-01 20:00")
    await bound.say("王老师", CLASS, NOTICE)
    assert await bound.at("2026-12-01 23:30") == []
    morning = await bound.at("2026-12-02 07:00")
    assert sorted(s.where for s in morning if s.private) == ["张华爸爸", "李明妈妈", "赵雪爸爸"]


async def test_held_notice_nudges_count_from_its_release(bound: Harness) -> None:
    await bound.at("2026-12-01 22:00")
    await bound.say("王老师", CLASS, NOTICE)
    assert [s.where for s in await bound.at("2026-12-02 07:00")] == [CLASS]
    assert await bound.at("2026-12-02 09:59") == []
    assert len(await bound.at("2026-12-02 10:00")) == 3


async def test_duplicate_delivery_of_one_platform_message_is_handled_once(bound: Harness) -> None:
    first = await bound.say("王老师", CLASS, NOTICE, message_id="wx-42")
    again = await bound.say("王老师", CLASS, NOTICE, message_id="wx-42")
    assert len(first) == 1 and again == []
    assert await count(bound, Notice) == 1


async def test_duplicate_after_restart_is_still_dropped(bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE, message_id="wx-42")
    await bound.restart()
    assert await bound.say("王老师", CLASS, NOTICE, message_id="wx-42") == []
    assert await count(bound, Notice) == 1


async def test_restart_between_posting_and_nudging_loses_and_doubles_nothing(
        bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    await bound.say("李明妈妈", CLASS, "收到")
    await bound.restart()
    nudges = await bound.at("2026-12-01 12:00")
    assert sorted(s.where for s in nudges) == ["张华爸爸", "赵雪爸爸"]
    await bound.restart()
    assert await bound.at("2026-12-01 13:00") == []


async def test_two_processes_on_one_database_nudge_once(bound: Harness) -> None:
    async with bound.second_process() as (other, other_channel):
        await bound.say("王老师", CLASS, NOTICE)
        bound.clock.set(bound.clock.now().replace(hour=6))  # 14:00 Shanghai
        await asyncio.gather(bound.bot.settle(), other.settle())
        nudges = [s for s in bound.channel.sent + other_channel.sent if s.private]
        assert sorted(s.where for s in nudges) == ["张华爸爸", "李明妈妈", "赵雪爸爸"]


async def test_transient_error_is_retried_and_delivered_once(bound: Harness) -> None:
    bound.bot.sender.retry_base_seconds = 0.001
    bound.channel.fail_next(TransientSendError("502"), TransientSendError("timeout"))
    sent = await bound.say("王老师", CLASS, NOTICE)
    assert len(sent) == 1 and "周五春游" in sent[0].text


async def test_long_outage_is_retried_later_not_lost(bound: Harness) -> None:
    bound.bot.sender.retry_base_seconds = 0.001
    bound.channel.fail_next(*(TransientSendError("network down") for _ in range(3)))
    assert await bound.say("王老师", CLASS, NOTICE) == []
    assert await count(bound, OutboxMessage, OutboxMessage.status == "pending") == 1
    later = await bound.at("2026-12-01 09:01")
    assert len(later) == 1 and "周五春游" in later[0].text
    assert await bound.at("2026-12-01 10:00") == []


async def test_unreachable_chat_is_not_retried_and_others_still_get_theirs(
        bound: Harness) -> None:
    await bound.say("王老师", CLASS, NOTICE)
    bound.channel.fail_next(UnreachableError("bot blocked"))
    nudges = await bound.at("2026-12-01 12:00")
    private = [s for s in nudges if s.private]
    assert len(private) == 2, "the first nudge failed for good, the other two went out"
    # The refused nudge is not lost: the group @-mentions that parent once, without saying
    # what about (who has not read is nobody else's business), and the nudge itself waits for
    # their next private message.
    [fallback] = [s for s in nudges if not s.private]
    [blocked] = {"李明妈妈", "张华爸爸", "赵雪爸爸"} - {s.where for s in private}
    assert [m.display_name for m in fallback.out.mentions] == [blocked]
    assert "私聊发不出去" in fallback.text
    assert "还没有确认" not in fallback.text and "春游" not in fallback.text, fallback.text
    assert await count(bound, OutboxMessage, OutboxMessage.status == "failed") == 1
    assert await bound.at("2026-12-01 13:00") == []
    later = await bound.say(blocked, "私聊", "怎么了？")
    assert any(s.where == blocked and "还没有确认" in s.text for s in later), later


async def test_handler_crash_apologises_and_leaves_nothing_half_done(
        bound: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(notices, "read_status", broken)
    await bound.say("王老师", CLASS, NOTICE)
    sent = await bound.say("王老师", CLASS, "#未读")
    assert len(sent) == 1 and "出了点问题" in sent[0].text


async def test_crash_mid_event_rolls_back_the_notice(
        bound: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    from services import jobs

    async def broken(*_args: object, **_kwargs: object) -> bool:
        raise RuntimeError("crash after the notice row was written")

    monkeypatch.setattr(jobs, "schedule", broken)
    sent = await bound.say("王老师", CLASS, NOTICE)
    assert [s.text for s in sent if "周五春游" in s.text] == []
    assert await count(bound, Notice) == 0


async def test_per_chat_limit_paces_a_burst(db_path) -> None:
    """Pacing is about real time, so this one reads the monotonic clock: three messages queued
    at once for one chat limited to 1 per 0.2 s cannot all be out in less than 0.4 s, however
    loaded the machine (unpaced, they are out within milliseconds). Only that lower bound is
    asserted: a slow machine makes the burst longer, never shorter."""
    h = await Harness(make_config(db_path),
                      limits=SendLimits(per_chat=Rate(1, 0.2))).start()
    try:
        await h.setup_class()
        group = ChatRef(h.channel.name, CLASS, ChatKind.GROUP, CLASS)
        async with UnitOfWork(h.db(), h.clock, h.config) as uow:
            for n in range(3):
                await outbox.enqueue(uow, Draft(chat=group, text=f"测试{n}", kind=Kind.REPLY,
                                                dedupe_key=f"burst:{n}"))
        started = time.monotonic()
        await h.bot.settle()
        elapsed = time.monotonic() - started
        assert [s.text for s in h.channel.to_group(CLASS)] == ["测试0", "测试1", "测试2"]
        assert elapsed >= 0.35, "three messages to one chat at 1 per 0.2 s need ≥ 0.4 s"
    finally:
        await h.stop()


def test_long_text_is_split_at_line_breaks() -> None:
    text = "\n".join(f"第{i}行内容" for i in range(100))
    parts = split_text(text, 120)
    assert all(len(p) <= 120 for p in parts)
    assert "\n".join(parts) == text
    assert split_text("短消息", 120) == ["短消息"]
    assert "".join(split_text("长" * 300, 120)) == "长" * 300


async def test_second_round_counts_from_the_held_first_round(bound: Harness) -> None:
    await bound.at("2026-12-01 20:00")
    await bound.say("王老师", CLASS, NOTICE)
    await bound.at("2026-12-02 07:00")  # round 1 (due 23:00) released in the morning
    assert await bound.at("2026-12-02 09:59") == []
    report = await bound.at("2026-12-02 10:00")
    assert [s.where for s in report] == ["王老师"]


async def test_split_message_resumes_after_a_failed_part(bound: Harness) -> None:
    """A long notice is sent in parts; if part 2 fails, the retry does not repeat part 1."""
    bound.bot.sender.retry_base_seconds = 0.001
    channel = bound.channel
    channel.capabilities = type(channel.capabilities)(private_needs_contact=False,
                                                       max_length=200)
    body = "\n".join(f"第{i}条注意事项：请家长提前做好准备。" for i in range(20))
    original_send = channel.send
    calls = 0

    async def flaky(out):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls in (2, 3, 4):  # part 2 fails three times in a row: a later round resumes
            raise TransientSendError("network")
        return await original_send(out)

    channel.send = flaky  # type: ignore[method-assign]
    first = await bound.say("王老师", CLASS, f"#通知 注意事项\n{body}")
    later = await bound.at("2026-12-01 09:01")
    texts = [s.text for s in first + later]
    assert len(texts) == len(set(texts)), "no part was sent twice"
    joined = "\n".join(texts)
    assert "第0条" in joined and "第19条" in joined
