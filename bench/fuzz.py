"""A seeded long fuzz run: 10,000 messages from any speaker in any chat, through the whole bot.

Why: the Hypothesis properties in CI (tests/test_fuzz.py) run a few dozen examples so the suite
stays fast; this runs the same promises (tests/fuzz_messages.py) over many more, with the clock
moving so due work (nudges, reminders, weekly updates, expiring questions) runs in between:
nothing raises (no "handling failed" in the log, no apology), no template syntax is evaluated,
no message exceeds the channel's limit, and every private message from a registered person
gets an answer. The seed makes a failure reproducible: rerun with the same --seed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/fuzz.py`

from tests.fuzz_messages import Findings, check, random_message
from tests.harness import Harness, make_config

STEP = timedelta(seconds=30)  # simulated time between two messages: 10,000 ≈ 3.5 days


class ErrorCount(logging.Handler):
    """Counts ERROR records (a handler that raised is logged as "handling failed")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Result:
    messages: int = 0
    seconds: float = 0.0
    sent: int = 0
    apologies: int = 0
    errors: list[str] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)

    @property
    def broken(self) -> int:
        return len(self.errors) + self.apologies + self.findings.total


async def run(n: int, seed: int) -> Result:
    rng = random.Random(seed)
    result = Result()
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    with tempfile.TemporaryDirectory(prefix="classbot-fuzz-") as tmp:
        h = await Harness(make_config(Path(tmp) / "fuzz.db")).start()
        try:
            await h.setup_class()
            start = time.perf_counter()
            for _ in range(n):
                message = random_message(rng)
                h.clock.set(h.clock.now() + STEP)
                sent = await h.say(message.speaker, message.chat, message.text)
                result.messages += 1
                result.sent += len(sent)
                result.apologies += sum("出了点问题" in s.text for s in sent)
                result.findings.add(check(message, sent, h.channel.capabilities))
            result.seconds = time.perf_counter() - start
        finally:
            await h.stop()
            logging.getLogger().removeHandler(errors)
    result.errors = errors.messages
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="messages (10000)")
    parser.add_argument("--seed", type=int, default=16, help="random seed (16)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # counted, not printed
    r = asyncio.run(run(args.messages, args.seed))
    print(f"messages          {r.messages} (seed {args.seed})")
    print(f"seconds           {r.seconds:.1f}")
    print(f"messages/s        {r.messages / r.seconds:.1f}")
    print(f"bot messages      {r.sent}")
    print(f"errors logged     {len(r.errors)}")
    print(f"apologies         {r.apologies}")
    print(f"templates run     {len(r.findings.evaluated)}")
    print(f"over the limit    {len(r.findings.too_long)}")
    print(f"unanswered (reg.) {len(r.findings.unanswered)}")
    for line in (r.errors + r.findings.evaluated + r.findings.too_long
                 + r.findings.unanswered)[:20]:
        print("  ", line[:300])
    return 1 if r.broken else 0


if __name__ == "__main__":
    sys.exit(main())
