"""Replays transcripts with the machine's wall clock moved to another date (time-machine).

Used by tests/test_replay_clock.py as `python -m tests.wallclock DATE SCRIPT…`: it proves that a
replay never reads the machine's date. Each transcript runs against its own fresh database;
the first output line states the wall-clock date the process saw, so a test can check the
travel really happened.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import time_machine
import yaml

REPO = Path(__file__).resolve().parents[1]


def _settings(script: str, database: Path):  # type: ignore[no-untyped-def]
    from core.config import Config
    from tests.database import url_for

    source = (resources.files("bot") / "demo" / "config.yaml") if script == "demo" \
        else REPO / "config.yaml"
    seed = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    seed["database_url"] = url_for(database)
    return Config.model_validate(seed)


def _lines(script: str) -> list[str]:
    path = resources.files("bot") / "demo" / "demo.txt" if script == "demo" else Path(script)
    return path.read_text(encoding="utf-8").splitlines()


def main(date: str, scripts: list[str]) -> None:
    from bot.cli import _replay

    with time_machine.travel(datetime.fromisoformat(date), tick=True):
        print(f"wall clock: {datetime.now(UTC).date().isoformat()}", flush=True)
        for script in scripts:
            print(f"=== {Path(script).name}", flush=True)
            with tempfile.TemporaryDirectory(prefix="classbot-wallclock-") as tmp:
                asyncio.run(_replay(_settings(script, Path(tmp) / "t.db"), _lines(script)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
