"""Ban-safe sending on WeChat: a burst of queued messages reaches the gateway paced.

Pacing is about real time, so the windows are counted on the fake gateway's own monotonic clock
(when each message arrived). The property is "never more than N in any window"; N leaves room
for the SDK's own delays on a loaded machine, and unpaced all ten arrive within milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from bot.channels.wechaty import WechatChannel
from core.channel import Rate
from core.config import WechatSettings
from core.events import ChatKind, ChatRef
from services import outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.wechat_world import ROOM, WechatWorld

OTHER_ROOM = "room-other@chatroom"
PER_CHAT = 1.0  # seconds between two messages into one chat: five per room take ≥ 4 s
PER_MINUTE = 300  # overall: one message every 0.2 s, ten take ≥ 1.8 s
# The limiters pace when a send starts; the gateway sees it after the SDK's own work, which
# varies on a loaded machine. Paced, a window of two spacings holds at most two arrivals; one
# more is allowed for that variation (up to a whole spacing of it). Unpaced, the whole burst
# lands in one such window: five per room, ten overall.
WINDOW = 2
AT_MOST = 3


def most_in_window(times: list[float], window: float) -> int:
    """The largest number of sends inside any half-open window of this length."""
    times = sorted(times)
    return max((sum(1 for t in times if start <= t < start + window) for start in times),
               default=0)


def test_default_limits_are_conservative() -> None:
    channel = WechatChannel(WechatSettings(endpoint="127.0.0.1:1"), None)
    assert channel.limits.per_chat == Rate(1, 2.0)
    assert channel.limits.overall == Rate(1, 3.0)  # 20 a minute, evenly spaced: no bursts
    assert channel.limits.jitter_seconds == 1.0
    assert not channel.capabilities.buttons and channel.capabilities.private_needs_contact


async def test_a_burst_is_paced_per_chat_and_overall(db_path: Path) -> None:
    async with WechatWorld(db_path, per_chat_seconds=PER_CHAT, per_minute=PER_MINUTE,
                           jitter_seconds=0.05) as world:
        world.puppet.room(OTHER_ROOM, "另一个群", [])
        async with UnitOfWork(world.bot.db, world.clock, world.bot.config) as uow:
            for i in range(10):
                room = ROOM if i % 2 else OTHER_ROOM
                await outbox.enqueue(uow, Draft(
                    chat=ChatRef("wechat", room, ChatKind.GROUP, room), text=f"第{i}条",
                    kind=Kind.REPLY, dedupe_key=f"burst:{i}"))
        await world.settle()
        sent = world.puppet.sent
        assert sorted(s.text for s in sent) == sorted(f"第{i}条" for i in range(10))
        for room in (ROOM, OTHER_ROOM):
            in_room = [s.at for s in sent if s.conversation_id == room]
            assert most_in_window(in_room, PER_CHAT * WINDOW) <= AT_MOST, (room, in_room)
        overall = [s.at for s in sent]
        assert most_in_window(overall, 60 / PER_MINUTE * WINDOW) <= AT_MOST, overall
        # the order inside each chat is the queue's order
        assert [s.text for s in sent if s.conversation_id == ROOM] == [
            f"第{i}条" for i in range(1, 10, 2)]
