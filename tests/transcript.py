"""Replaying a transcript (the console's scripted grammar, tests/scripts/*.txt) in-process on
the memory channel: what `classbot run --script` does, without a subprocess per scenario, and
with every line's answers kept apart so a scenario can ask what one line caused."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.memory import Sent
from bot.channels.script import Attach, Say, SetTime, echo, local_file, parse_line
from core.events import InboundFile
from tests.harness import Harness, make_config

SCRIPTS = Path(__file__).parent / "scripts"


@dataclass(frozen=True)
class Step:
    line: str  # as the console echoes it: "[三年级二班] 王老师: #名单", ":time …"
    sent: list[Sent]

    def to(self, where: str, *, private: bool) -> list[str]:
        """The texts this line caused in one chat (a group, or a person's private chat)."""
        return [s.text for s in self.sent if s.where == where and s.private == private]


class Replay:
    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps

    def after(self, line: str, nth: int = 1) -> Step:
        """The `nth` step whose echoed line is `line` (a line may occur more than once)."""
        found = [s for s in self.steps if s.line == line]
        assert len(found) >= nth, f"no step {line!r} (#{nth})"
        return found[nth - 1]

    def everything(self) -> str:
        return "\n".join(s.text for step in self.steps for s in step.sent)


async def replay(h: Harness, script: str) -> Replay:
    """Every line of `script` (a file name under tests/scripts, or the text) through `h`."""
    path = SCRIPTS / script
    text = path.read_text(encoding="utf-8") if script.endswith(".txt") else script
    steps = []
    attached: list[InboundFile] = []  # `:attach` lines (relative to tests/scripts)
    for raw in text.splitlines():
        item = parse_line(raw)
        if item is None:
            continue
        if isinstance(item, Attach):
            attached.append(local_file(SCRIPTS / item.path))
        elif isinstance(item, SetTime):
            steps.append(Step(item.raw, await h.at(item.local.strftime("%Y-%m-%d %H:%M"))))
        else:
            assert isinstance(item, Say)
            files, attached = tuple(attached), []
            steps.append(Step(echo(item), await h.say(item.speaker, item.chat, item.text,
                                                      files=files)))
    return Replay(steps)


def replay_once(folder: Path, script: str, **config: Any) -> Replay:
    """The whole transcript on a new database, outside any event loop: for module-scoped
    fixtures, so that a scenario's several tests read one replay."""
    async def run() -> Replay:
        h = await Harness(make_config(folder / "transcript.db", **config)).start()
        try:
            return await replay(h, script)
        finally:
            await h.stop()

    return asyncio.run(run())
