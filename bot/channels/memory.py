"""In-memory channel for tests: say things as people, read what the bot sent to whom."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.channels.script import PRIVATE, ScriptedChannel, format_outgoing
from core.channel import Capabilities, SendError, SendLimits
from core.events import ChatKind, Outgoing, SentRef


@dataclass(frozen=True)
class Sent:
    out: Outgoing
    message_id: str

    @property
    def private(self) -> bool:
        return self.out.chat.kind is ChatKind.PRIVATE

    @property
    def where(self) -> str:
        """Group title, or the person's name for a private message."""
        return self.out.chat.title

    @property
    def text(self) -> str:
        return self.out.text


class MemoryChannel(ScriptedChannel):
    def __init__(self, bot_name: str = "班级助手", *, name: str = "memory",
                 limits: SendLimits | None = None,
                 capabilities: Capabilities | None = None) -> None:
        super().__init__(name, bot_name, limits=limits, capabilities=capabilities)
        self.sent: list[Sent] = []
        self.failures: deque[SendError] = deque()

    def fail_next(self, *errors: SendError) -> None:
        """The next sends raise these, in order (a platform hiccup, a blocked chat …)."""
        self.failures.extend(errors)

    async def send(self, out: Outgoing) -> SentRef:
        if self.failures:
            raise self.failures.popleft()
        ref = self.next_sent_id()
        self.sent.append(Sent(out, ref.message_id))
        return ref

    # --- reading what was sent (tests) -------------------------------------------------------

    def to_group(self, title: str) -> list[Sent]:
        return [s for s in self.sent if not s.private and s.where == title]

    def to_person(self, name: str) -> list[Sent]:
        return [s for s in self.sent if s.private and s.where == name]

    def lines(self) -> list[str]:
        return [format_outgoing(s.out, self.bot_name) for s in self.sent]

    def clear(self) -> None:
        self.sent.clear()


__all__ = ["PRIVATE", "MemoryChannel", "Sent"]
