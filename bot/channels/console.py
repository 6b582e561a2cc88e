"""The console: the embedded default channel, no account needed; prints what the bot sends."""

from __future__ import annotations

from collections.abc import Callable

from bot.channels.script import ScriptedChannel, format_outgoing
from core.events import Outgoing, SentRef


class ConsoleChannel(ScriptedChannel):
    def __init__(self, bot_name: str, write: Callable[[str], None]) -> None:
        super().__init__("console", bot_name)
        self._write = write

    async def send(self, out: Outgoing) -> SentRef:
        self._write(format_outgoing(out, self.bot_name))
        return self.next_sent_id()
