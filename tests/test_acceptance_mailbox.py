"""Issue 4's acceptance transcript (tests/scripts/mailbox.txt) through `classbot run --script`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.database import fetch_all
from tests.test_acceptance_foundation import run_script, script_database

SCRIPT = Path(__file__).parent / "scripts" / "mailbox.txt"


def replay(factory: pytest.TempPathFactory, script: Path) -> list[str]:
    """A transcript's output, once per module (a fixture's body)."""
    return run_script(factory.mktemp(script.stem), script.read_text(encoding="utf-8"))


def after(lines: list[str], human: str) -> list[str]:
    """The bot's lines caused by one human line (up to the next human or :time line)."""
    out: list[str] = []
    for line in lines[lines.index(human) + 1:]:
        if " 班级助手: " not in line:
            break
        out.append(line)
    return out


def test_mailbox_transcript(tmp_path: Path) -> None:
    lines = run_script(tmp_path, SCRIPT.read_text(encoding="utf-8"))

    sent = after(lines, "[私聊 李明妈妈] 李明妈妈: #匿名投诉 食堂的饭菜太咸了")
    [to_teacher] = [line for line in sent if line.startswith("[私聊 王老师]")]
    assert "X-0001" in to_teacher and "食堂的饭菜太咸了" in to_teacher
    assert "李明" not in to_teacher, "王老师 never sees who wrote an anonymous letter"
    assert any(line.startswith("[私聊 李明妈妈]") and "X-0001" in line for line in sent)

    sent = after(lines, "[私聊 王老师] 王老师: #回复 X-0001 已反馈给食堂")
    assert any(line.startswith("[私聊 李明妈妈]") and "已反馈给食堂" in line for line in sent)

    sent = after(lines, "[私聊 王老师] 王老师: #结案 X-0001 食堂已调整，下周起少盐")
    result = [line for line in sent if line.startswith("[私聊 李明妈妈]")]
    assert result and "下周起少盐" in result[0] and "不满意" in result[0]

    sent = after(lines, "[私聊 李明妈妈] 李明妈妈: 不满意 还是太咸")
    [told] = [line for line in sent if line.startswith("[私聊 王老师]")]
    assert "重新打开" in told and "X-0001" in told and "李明" not in told

    secret = "班主任收礼的事情"
    [pointer] = after(lines, f"[三年级二班] 张华爸爸: #信箱 {secret}")
    assert pointer.startswith("[三年级二班] 班级助手:") and secret not in pointer
    assert sum(secret in line for line in lines) == 1, "only the parent's own line shows it"
    for table in ("outbox", "mailbox_tickets", "mailbox_entries", "pending_questions"):
        for row in fetch_all(script_database(tmp_path), f"SELECT * FROM {table}"):
            assert secret not in " ".join(map(str, row)), table

    reminders = after(lines, ":time 2026-12-03 09:00")
    assert any(line.startswith("[私聊 王老师]") and "X-0002" in line and "48" in line
               for line in reminders), reminders
