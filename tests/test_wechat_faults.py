"""WeChat sends through a faulty gateway: the echo check makes a timeout after acceptance cost
no duplicate (the gateway shows the bot its own message), and nothing is lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.events import ChatKind, ChatRef
from services import outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.fake_puppet import PuppetFaults
from tests.wechat_world import WechatWorld

# Answers wait at most 0.3 s; the faulty gateway hangs 0.6 s; the echo is awaited 0.5 s.
TIMEOUTS = {"send_timeout_seconds": 0.3, "echo_wait_seconds": 0.5}
PEOPLE = 30


async def _send_to_everyone(world: WechatWorld) -> Counter[str]:
    world.bot.sender.retry_base_seconds = 0.01
    async with UnitOfWork(world.bot.db, world.clock, world.bot.config) as uow:
        for n in range(PEOPLE):
            person = world.puppet.person(f"wx-parent-{n}", f"家长{n}")
            await outbox.enqueue(uow, Draft(
                chat=ChatRef("wechat", person, ChatKind.PRIVATE, f"家长{n}"),
                text=f"家长{n}您好，请确认通知 #1。", kind=Kind.NUDGE, urgent=True,
                dedupe_key=f"wx-faults:{n}"))
    await world.settle()
    return Counter(s.conversation_id for s in world.puppet.sent)


async def test_timeouts_after_acceptance_are_caught_by_the_echo(db_path: Path) -> None:
    async with WechatWorld(db_path, **TIMEOUTS) as world:
        world.puppet.faults = faults = PuppetFaults(rate=0.2, kinds=("timeout_after",),
                                                    hang_seconds=0.6)
        copies = await _send_to_everyone(world)
    assert faults.count("timeout_after") >= 3, "the fault layer did inject"
    assert len(copies) == PEOPLE, "nothing lost"
    assert max(copies.values()) == 1, "the echo showed each one had gone out: no duplicate"


async def test_every_gateway_fault_at_20_percent_loses_and_doubles_nothing(
        db_path: Path) -> None:
    async with WechatWorld(db_path, **TIMEOUTS) as world:
        world.puppet.faults = faults = PuppetFaults(rate=0.2, hang_seconds=0.6)
        copies = await _send_to_everyone(world)
    assert len({kind for kind, _ in faults.injected}) >= 3
    assert len(copies) == PEOPLE and max(copies.values()) == 1


async def test_without_the_echo_a_timeout_is_sent_once_more(db_path: Path) -> None:
    """The check is what prevents the duplicate: a gateway that does not echo gets one."""
    async with WechatWorld(db_path, **TIMEOUTS) as world:
        world.puppet.echo_sends = False
        world.puppet.faults = PuppetFaults(rate=1.0, kinds=("timeout_after",),
                                           hang_seconds=0.6)
        async with UnitOfWork(world.bot.db, world.clock, world.bot.config) as uow:
            person = world.puppet.person("wx-parent-x", "家长X")
            await outbox.enqueue(uow, Draft(
                chat=ChatRef("wechat", person, ChatKind.PRIVATE, "家长X"), text="请确认。",
                kind=Kind.NUDGE, urgent=True, dedupe_key="wx-faults:x"))
        await world.settle()
        copies = Counter(s.conversation_id for s in world.puppet.sent)
    assert copies["wx-parent-x"] == 2, "sent, no answer, sent once more, no answer: stop"
