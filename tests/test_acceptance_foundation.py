"""The foundation issue's acceptance transcript, replayed through `classbot run --script`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.database import fetch_all, url_for

# The class bound and three families registered: later issues' transcripts start the same way.
SETUP = """\
:time 2026-12-01 09:00
王老师 @ 三年级二班: #绑定 三年级二班
李明妈妈 @ 三年级二班: #登记 李明 妈妈
张华爸爸 @ 三年级二班: #登记 张华 爸爸
赵雪爸爸 @ 三年级二班: #登记 赵雪 爸爸
"""

TRANSCRIPT = SETUP + """\
赵雪爸爸 @ 私聊: 你好
王老师 @ 三年级二班: #通知 周五春游\\n请带好水和帽子，早上7:50到校。
李明妈妈 @ 三年级二班: 收到
张华爸爸 @ 三年级二班: 收到了
王老师 @ 三年级二班: #未读
李明妈妈 @ 三年级二班: #未读
:time 2026-12-01 12:30
"""

REPO = Path(__file__).resolve().parents[1]


def blocks(output: str) -> list[str]:
    """Output lines with their indented continuation lines joined."""
    out: list[str] = []
    for line in output.splitlines():
        if line.startswith("    ") and out:
            out[-1] += "\n" + line.strip()
        else:
            out.append(line)
    return out


def run_script(tmp_path: Path, text: str) -> list[str]:
    """Replay through `classbot run` with the committed config.yaml, on the test database
    (given as CLASSBOT_DATABASE_URL, as an operator would; SQLite: data/classbot.db)."""
    script = tmp_path / "t.txt"
    script.write_text(text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        (REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--script", str(script)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "CLASSBOT_DATABASE_URL": script_database(tmp_path)})
    assert done.returncode == 0, done.stderr
    return blocks(done.stdout)


def script_database(tmp_path: Path) -> str:
    return url_for(tmp_path / "data" / "classbot.db")


def test_foundation_transcript(tmp_path: Path) -> None:
    lines = run_script(tmp_path, TRANSCRIPT)
    bot_lines = [line for line in lines if " 班级助手: " in line]
    group = [line for line in bot_lines if line.startswith("[三年级二班]")]

    notices = [line for line in group if "周五春游" in line]
    assert len(notices) == 1, "exactly one notice in the group"

    # No group message after each 收到: the line after each ack is the next human line.
    for ack in ("[三年级二班] 李明妈妈: 收到", "[三年级二班] 张华爸爸: 收到了"):
        following = lines[lines.index(ack) + 1]
        assert " 班级助手: " not in following, following

    # 王老师 also hears privately of each registration (issue 11); the unread list is one line.
    unread = [line for line in bot_lines if line.startswith("[私聊 王老师]")
              and "【登记】" not in line]
    assert len(unread) == 1
    assert "已读 2/3" in unread[0] and "赵雪" in unread[0]
    assert "李明" not in unread[0] and "张华" not in unread[0]

    refusal = lines[lines.index("[三年级二班] 李明妈妈: #未读") + 1]
    assert refusal.startswith("[三年级二班] 班级助手: 抱歉"), refusal
    assert "已读" not in refusal

    after_nudge = lines[lines.index(":time 2026-12-01 12:30") + 1:]
    nudges = [line for line in after_nudge if " 班级助手: " in line]
    assert len(nudges) == 1 and nudges[0].startswith("[私聊 赵雪爸爸]"), nudges
    assert "周五春游" in nudges[0]


def test_demo_runs_and_shows_every_feature() -> None:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for shown in ("已绑定", "登记成功", "【通知 #1】", "已读 2/3", "[私聊 赵雪爸爸] 班级助手",
                  "免打扰", "紧急通知", "抱歉", "家长会 #1", "报名情况", "本周班级动态",
                  "提醒：家长会", "[私聊 李明妈妈] 班级助手: ✅ 已签到", "考勤", "纪要已记录",
                  "[私聊 张华爸爸] 班级助手: 张华爸爸您好，您没能参加"):
        assert shown in out, shown


def test_demo_runs_on_the_database_the_environment_names(tmp_path: Path) -> None:
    """CLASSBOT_DATABASE_URL is honoured by `classbot demo` too (it used to replay on a
    temporary SQLite file whatever the variable said, leaving PostgreSQL empty)."""
    url = url_for(tmp_path / "demo.db")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "CLASSBOT_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    [(notices,)] = fetch_all(url, "SELECT count(*) FROM notices")
    [(sent,)] = fetch_all(url, "SELECT count(*) FROM outbox")
    assert notices >= 2 and sent > 10
