"""A replay on a database with an earlier replay's records: said on stderr, and `--fresh`
replays on an empty temporary database without touching the configured one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_acceptance_foundation import REPO

SCRIPT = """\
:time 2026-12-01 09:00
王老师 @ 三年级二班: #绑定 三年级二班
李明妈妈 @ 三年级二班: #登记 李明 妈妈
王老师 @ 三年级二班: #通知 周五春游\\n请带好水和帽子。
"""


def replay(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`classbot run --script` with the committed config (SQLite file data/classbot.db)."""
    (tmp_path / "config.yaml").write_text(
        (REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "t.txt").write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--script", "t.txt", *extra],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done


def test_a_second_replay_says_it_continues_and_fresh_starts_over(tmp_path: Path) -> None:
    first = replay(tmp_path)
    assert "【通知 #1】" in first.stdout and "--fresh" not in first.stderr
    second = replay(tmp_path)
    assert "【通知 #2】" in second.stdout, "the same database: numbers go on"
    assert "--fresh" in second.stderr and "之前的记录" in second.stderr
    database = tmp_path / "data" / "classbot.db"
    before = database.stat().st_mtime_ns, database.stat().st_size
    fresh = replay(tmp_path, "--fresh")
    assert fresh.stdout == first.stdout and "--fresh" not in fresh.stderr
    assert (database.stat().st_mtime_ns, database.stat().st_size) == before
