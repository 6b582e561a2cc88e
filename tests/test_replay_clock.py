"""A replay never depends on the day it runs: its clock starts at the transcript's first `:time`.

The acceptance transcripts run with the machine's wall clock moved to three dates years apart
(time-machine, in a subprocess) and must print exactly the same thing. One of the dates is the
afternoon after the meetings transcript's Friday, the day a replay used to lose its weekly update.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.transcript import REPLAY_EPOCH_LOCAL, replay_start
from tests import test_acceptance_foundation as foundation
from tests import test_acceptance_meetings as meetings

REPO = Path(__file__).resolve().parents[1]
WALL_CLOCKS = ("2019-03-10T12:00:00+00:00", "2026-12-04T09:30:00+00:00",
               "2041-07-20T03:00:00+00:00")


def test_replay_starts_at_the_first_time_line() -> None:
    lines = ["#! a comment", "王老师 @ 三年级二班: #帮助", ":time 2026-12-01 09:00",
             ":time 2026-12-04 17:00"]
    assert replay_start(lines, "Asia/Shanghai") == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_a_replay_without_time_lines_starts_at_the_documented_instant() -> None:
    start = replay_start(["王老师 @ 三年级二班: #帮助", ":time not-a-time"], "Asia/Shanghai")
    assert datetime(2026, 9, 1, 8, 0) == REPLAY_EPOCH_LOCAL  # the instant the README documents
    assert start == datetime(2026, 9, 1, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai


def _replays_under(wall_clocks: tuple[str, ...], scripts: list[str]) -> dict[str, str]:
    """One process per wall clock, all running at once (they are independent, and on two
    cores the test then takes half as long); each one's output after its first line."""
    processes = {clock: subprocess.Popen(
        [sys.executable, "-m", "tests.wallclock", clock, *scripts], cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}) for clock in wall_clocks}
    outputs = {}
    try:
        for wall_clock, process in processes.items():
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            seen, _, outputs[wall_clock] = out.partition("\n")
            assert seen == f"wall clock: {wall_clock[:10]}", "the process ran on that date"
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return outputs


def test_acceptance_transcripts_print_the_same_on_any_date(tmp_path: Path) -> None:
    (tmp_path / "foundation.txt").write_text(foundation.TRANSCRIPT, encoding="utf-8")
    (tmp_path / "meetings.txt").write_text(meetings.TRANSCRIPT, encoding="utf-8")
    scripts = [str(tmp_path / "foundation.txt"), str(tmp_path / "meetings.txt"),
               str(REPO / "tests" / "scripts" / "mailbox.txt"), "demo"]

    outputs = _replays_under(WALL_CLOCKS, scripts)
    first = outputs[WALL_CLOCKS[0]]
    for wall_clock in WALL_CLOCKS[1:]:
        assert outputs[wall_clock] == first, f"output differs on wall clock {wall_clock}"
    # The Friday 17:00 weekly update of the meetings transcript is there on every date.
    meetings_part = first.split("=== meetings.txt")[1].split("=== ")[0]
    assert "本周班级动态" in meetings_part.split(":time 2026-12-04 17:00")[1]
