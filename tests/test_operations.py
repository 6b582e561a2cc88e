"""What an operator runs besides the bot: `classbot check` for health, JSON logs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from models import Database, OutboxMessage
from tests.database import url_for
from tests.harness import CLASS, Harness

REPO = Path(__file__).resolve().parents[1]


def classbot(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, input="",
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "CLASSBOT_DATABASE_URL": url})


def test_check_reports_an_unmigrated_then_a_healthy_database(tmp_path: Path) -> None:
    url = url_for(tmp_path / "check.db")
    empty = classbot(tmp_path, url, "check")
    assert empty.returncode == 1 and "classbot db upgrade" in empty.stdout, empty.stdout

    assert classbot(tmp_path, url, "db", "upgrade").returncode == 0
    healthy = classbot(tmp_path, url, "check")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.startswith("正常") and "0 条已到时间" in healthy.stdout


async def test_check_says_when_due_messages_wait(tmp_path: Path, bound: Harness) -> None:
    """A message due an hour ago and still unsent: no process is delivering."""
    import asyncio

    db: Database = bound.db()
    await bound.say("王老师", CLASS, "#通知 周五春游\n带水")
    async with db.session() as session, session.begin():
        row = OutboxMessage(dedupe_key="test:stuck", channel="memory", chat_id=CLASS,
                            chat_kind="group", chat_title=CLASS, text="stuck", mentions=[],
                            buttons=[], kind="notice", urgent=False, status="pending",
                            not_before=bound.clock.now() - timedelta(days=400), attempts=0,
                            created_at=bound.clock.now())
        session.add(row)
    await bound.stop()
    done = await asyncio.to_thread(classbot, tmp_path, db.url, "check")
    assert done.returncode == 1, done.stdout
    assert "1 条已到时间" in done.stdout and "没有进程在发送" in done.stdout, done.stdout
    await bound.start()


def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    script = tmp_path / "t.txt"
    script.write_text(":time 2026-12-01 09:00\n王老师 @ 三年级二班: #绑定 三年级二班\n",
                      encoding="utf-8")
    done = classbot(tmp_path, url_for(tmp_path / "json.db"), "run", "--script", str(script),
                    "--verbose", "--log-format", "json")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, "verbose run logged nothing"
    entries = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    bad = classbot(tmp_path, url_for(tmp_path / "json.db"), "run", "--log-format", "xml")
    assert bad.returncode == 2
