"""Issue 11, part 6 (and part 5's command line): `classbot class add` says exactly what it
stored and refuses a second active head teacher without --replace; `classbot forget`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_acceptance_forget import every_cell
from tests.test_acceptance_foundation import REPO, run_script, script_database


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not (folder / "config.yaml").exists():
        (folder / "config.yaml").write_text("channels: [console]\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=folder,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "CLASSBOT_DATABASE_URL": script_database(folder)})


def test_class_add_reports_same_named_students_and_guards_the_head_teacher(
        tmp_path: Path) -> None:
    first = cli(tmp_path, "class", "add", "四年级一班", "--head-teacher", "李老师",
                "--roster", "王一,王二,王一")
    assert first.returncode == 0, first.stderr
    assert "已创建班级「四年级一班」：班主任 李老师" in first.stdout
    assert "名单新增 3 人：王一(1)、王一(2)、王二" in first.stdout, first.stdout
    assert "同名学生已加编号：王一(1)、王一(2)" in first.stdout, first.stdout

    again = cli(tmp_path, "class", "add", "四年级一班", "--head-teacher", "李老师",
                "--roster", "王二,陈静")
    assert again.returncode == 0, again.stderr
    assert "名单新增 1 人：陈静" in again.stdout and "已在名单上：王二" in again.stdout

    refused = cli(tmp_path, "class", "add", "四年级一班", "--head-teacher", "赵老师",
                  "--roster", "孙悟")
    assert refused.returncode == 1
    assert "已有班主任 李老师" in refused.stderr and "--replace" in refused.stderr
    replaced = cli(tmp_path, "class", "add", "四年级一班", "--head-teacher", "赵老师",
                   "--roster", "孙悟", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "原班主任 李老师 已改为本班任课老师" in replaced.stdout
    assert "名单新增 1 人：孙悟" in replaced.stdout, "the refused run stored nothing"


def test_forget_from_the_command_line(tmp_path: Path) -> None:
    run_script(tmp_path, """\
:time 2026-12-01 09:00
王老师 @ 三年级二班: #绑定 三年级二班
赵雪爸爸 @ 三年级二班: #登记 赵雪 爸爸
赵雪爸爸 @ 私聊: #建议 希望午休时间长一点
""")
    missing = cli(tmp_path, "forget", "--person", "无此人", "--yes")
    assert missing.returncode == 1 and "没有找到" in missing.stderr
    done = cli(tmp_path, "forget", "--person", "赵雪爸爸", "--yes")
    assert done.returncode == 0, done.stderr
    assert "来信 1 封" in done.stdout and "审计" in done.stdout and "赵雪" not in done.stdout
    cells = every_cell(tmp_path / "data" / "classbot.db")
    for secret in ("赵雪爸爸", "希望午休时间长一点"):
        assert [t for t, v in cells.items() if any(secret in c for c in v)] == [], secret
    assert any("forget_person" in c for c in cells["audit_log"])
