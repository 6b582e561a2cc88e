"""Replays the scripted grammar against a running bot: each line, then everything it caused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from bot.app import ClassBot
from bot.channels.script import (
    Attach,
    ScriptedChannel,
    ScriptError,
    SetTime,
    echo,
    local_file,
    local_to_utc,
    parse_line,
)
from core.clock import SimulatedClock
from core.events import InboundFile

# Where a replay's clock starts when the transcript has no `:time` line: a fixed instant (class
# time), so the same file prints the same thing on any day it is replayed. Documented in README.
REPLAY_EPOCH_LOCAL = datetime(2026, 9, 1, 8, 0)


def transcript_lines(text: str) -> list[str]:
    """A transcript's lines: split on `\n` only (a `\r` before it dropped).

    `str.splitlines()` also cuts at U+2028, U+2029, U+0085, \v, \f and the other separators,
    so a message containing one of them would be replayed as two (the second part a line that
    fits no form, or worse, one that does). One line is one message, whatever it contains.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def replay_start(lines: Iterable[str], timezone: str) -> datetime:
    """The instant a replay starts at: its first `:time`, else `REPLAY_EPOCH_LOCAL` (UTC-aware).

    Everything scheduled at start-up (the weekly update) counts from here, never from the
    machine's date: a teacher replaying last week's transcript must see what it showed then.
    """
    for line in lines:
        try:
            item = parse_line(line)
        except ScriptError:
            continue
        if isinstance(item, SetTime):
            return local_to_utc(item.local, timezone)
    return local_to_utc(REPLAY_EPOCH_LOCAL, timezone)


class TranscriptRunner:
    def __init__(self, bot: ClassBot, channel: ScriptedChannel, clock: SimulatedClock,
                 write: Callable[[str], None], *, base_dir: Path | None = None) -> None:
        self.bot = bot
        self.channel = channel
        self.clock = clock
        self.write = write
        # `:attach` paths are relative to the script's folder (the working folder without one).
        self.base_dir = base_dir or Path()
        self._attached: list[InboundFile] = []  # for the next message

    async def feed(self, line: str, line_no: int | None = None) -> bool:
        """Play one line; False if it was not understood (a message says how to write it)."""
        try:
            item = parse_line(line)
        except ScriptError as exc:
            self.write(self.bot.renderer.render("console/bad_line", line=line.rstrip(),
                                                line_no=line_no, reason=str(exc)))
            return False
        if item is None:
            return True
        if isinstance(item, Attach):
            path = self.base_dir / item.path
            try:
                self._attached.append(await asyncio.to_thread(local_file, path))
            except OSError as exc:
                self.write(self.bot.renderer.render("console/bad_attach", line=line.rstrip(),
                                                    line_no=line_no, path=str(path),
                                                    reason=exc.strerror or str(exc)))
                return False
            self.write(echo(item))
            return True
        self.write(echo(item))
        if isinstance(item, SetTime):
            self.clock.set(local_to_utc(item.local, self.bot.config.timezone))
        else:
            files, self._attached = tuple(self._attached), []
            await self.channel.receive(self.channel.event_for(item, self.clock.now(),
                                                              files=files))
        await self.bot.settle()
        return True
