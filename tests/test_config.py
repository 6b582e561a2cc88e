"""config.yaml as a school's IT person meets it: defaults, the committed file, the environment,
and bad files that must be refused with a readable message (exit 2, never a traceback)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import pytest

from core.config import load_config
from tests.harness import Harness

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "config.yaml"
PG_URL = "postgresql+asyncpg://classbot@db.example/classbot"


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`classbot ARGS` as a separate process, from tmp_path, with a clean environment."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream
        assert 'File "' not in stream, stream


# --- defaults, the committed file, the environment ------------------------------------------

def test_defaults_without_a_file() -> None:
    config = load_config(None, env={})
    assert config.timezone == "Asia/Shanghai"
    assert config.quiet_hours.start == time(21, 30)
    assert config.quiet_hours.end == time(7, 0)
    assert config.database_url.startswith("sqlite:///")
    assert config.channels == ["console"]
    assert config.bot_name == "班级助手"
    assert config.language == "zh_CN"
    assert config.classes == []


def test_committed_config_loads() -> None:
    config = load_config(COMMITTED, env={})
    assert config.quiet_hours.start == time(21, 30)
    assert config.quiet_hours.end == time(7, 0)
    assert config.channels == ["console"]
    [seed] = config.classes
    assert seed.name == "三年级二班"
    assert seed.head_teacher.name == "王老师"
    assert seed.roster == ["李明", "张华", "赵雪"]


async def test_committed_config_seeds_the_class(tmp_path: Path) -> None:
    """Started on the committed file, 王老师 is head teacher and only rostered pupils register."""
    config = load_config(COMMITTED, env={
        "CLASSBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'seed.db'}"})
    h = await Harness(config).start()
    try:
        [bound] = await h.say("王老师", "三年级二班", "#绑定 三年级二班")
        assert "已绑定" in bound.text, bound.text
        for student in ("李明", "张华", "赵雪"):
            sent = await h.say(f"{student}妈妈", "三年级二班", f"#登记 {student} 妈妈")
            [ok] = [s for s in sent if s.where == "三年级二班"]  # the head teacher is told too
            assert "登记成功" in ok.text, ok.text
        [stranger] = await h.say("王五妈妈", "三年级二班", "#登记 王五 妈妈")
        assert "名单里没有「王五」" in stranger.text, stranger.text
        [owner] = await h.say("李明妈妈", "三年级二班", "#绑定 三年级二班")
        assert "本群已绑定到「三年级二班」（班主任 王老师）" in owner.text, owner.text
    finally:
        await h.stop()


def test_environment_overrides_database_url() -> None:
    assert load_config(None, env={"CLASSBOT_DATABASE_URL": PG_URL}).database_url == PG_URL
    assert load_config(COMMITTED, env={"CLASSBOT_DATABASE_URL": PG_URL}).database_url == PG_URL
    # An empty variable is no override.
    assert load_config(COMMITTED, env={"CLASSBOT_DATABASE_URL": ""}).database_url == \
        "sqlite:///data/classbot.db"


def test_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSBOT_DATABASE_URL", PG_URL)
    assert load_config(None).database_url == PG_URL


# --- check-config ---------------------------------------------------------------------------

def test_check_config_ok(tmp_path: Path) -> None:
    good = tmp_path / "school.yaml"
    good.write_text(COMMITTED.read_text(encoding="utf-8"), encoding="utf-8")
    done = cli(tmp_path, "check-config", "--config", str(good))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout
    assert "阳光小学" in done.stdout and "1 个班级" in done.stdout
    no_traceback(done)


def test_check_config_finds_config_yaml_in_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("school_name: 春晓小学\n", encoding="utf-8")
    done = cli(tmp_path, "check-config")
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout and "春晓小学" in done.stdout


@dataclass(frozen=True)
class Bad:
    """A broken config.yaml (None: the file does not exist) and what the message must say.

    Each entry of `says` must appear; a tuple entry means any one of its alternatives."""

    yaml: str | None
    says: tuple[str | tuple[str, ...], ...]


CLASS_WITHOUT_HEAD = """\
classes:
  - name: 三年级二班
    roster: [李明, 张华]
"""

YAML_SYNTAX_ERROR = """\
school_name: 阳光小学
classes:
  - name: 三年级二班
    roster: [李明, 张华
    head_teacher: {name: 王老师}
"""

BAD_CONFIGS: dict[str, Bad] = {
    "quiet_hours_25": Bad('quiet_hours: {start: "25:00", end: "07:00"}\n',
                          ("quiet_hours.start", "25:00", "HH:MM")),
    "unknown_timezone": Bad("timezone: Mars/Olympus\n",
                            ("timezone", "Mars/Olympus", "Asia/Shanghai")),
    "unknown_channel": Bad("channels: [qq]\n",
                           ("channels", "qq", "console", "telegram", "wechat")),
    "unknown_language": Bad("language: fr\n", ("language", "fr", "zh_CN")),
    "token_in_file": Bad("telegram_token: abc\n",
                         ("telegram_token", "不认识", "环境变量")),
    "no_guardians": Bad("max_guardians_per_student: 0\n",
                        ("max_guardians_per_student", "0", "1 到 6")),
    "yaml_syntax": Bad(YAML_SYNTAX_ERROR, ("YAML", ("line 5", "第 5 行", "line 4", "第 4 行"))),
    "missing_file": Bad(None, ("nope.yaml", "找不到")),
    # What is missing and what to write instead: a head teacher with a name.
    "class_without_head_teacher": Bad(CLASS_WITHOUT_HEAD,
                                      ("head_teacher", "缺少", ("name", "班主任"))),
}


@pytest.mark.parametrize("case", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_is_refused_readably(tmp_path: Path, case: Bad) -> None:
    path = tmp_path / ("nope.yaml" if case.yaml is None else "bad.yaml")
    if case.yaml is not None:
        path.write_text(case.yaml, encoding="utf-8")
    done = cli(tmp_path, "check-config", "--config", str(path))
    assert done.returncode == 2, (done.stdout, done.stderr)
    no_traceback(done)
    message = done.stderr + done.stdout
    assert "classbot 没有启动" in message, message
    for expected in case.says:
        options = expected if isinstance(expected, tuple) else (expected,)
        assert any(option in message for option in options), (options, message)


def test_yaml_error_names_the_real_line(tmp_path: Path) -> None:
    """The line number in the message is the one PyYAML reports, not a guess."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("school_name: ok\nchannels: [console\nbot_name: x\n", encoding="utf-8")
    done = cli(tmp_path, "check-config", "--config", str(bad))
    assert done.returncode == 2
    found = re.search(r"line (\d+)|第 ?(\d+) ?行", done.stderr + done.stdout)
    assert found, done.stderr
    assert int(found.group(1) or found.group(2)) in (2, 3)


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("language: fr\nmax_guardians_per_student: 0\n", encoding="utf-8")
    done = cli(tmp_path, "check-config", "--config", str(bad))
    assert done.returncode == 2
    assert "2 处错误" in done.stderr, done.stderr
    assert "language" in done.stderr and "max_guardians_per_student" in done.stderr


def test_run_refuses_a_bad_config_too(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    script = tmp_path / "t.txt"
    script.write_text("王老师 @ 三年级二班: #帮助\n", encoding="utf-8")
    done = cli(tmp_path, "run", "--config", str(bad), "--script", str(script))
    assert done.returncode == 2
    no_traceback(done)
    assert "Mars/Olympus" in done.stderr


# --- unquoted clock times (YAML 1.1 reads 21:30 as the base-60 integer 1290) -----------------

def test_unquoted_quiet_hours_are_clock_times(tmp_path: Path) -> None:
    """An IT person writes `start: 21:30` without quotes; it must still mean 21:30."""
    path = tmp_path / "config.yaml"
    path.write_text("quiet_hours:\n  start: 21:30\n  end: 07:00\n", encoding="utf-8")
    quiet = load_config(path, env={}).quiet_hours
    assert quiet.start == time(21, 30), quiet.start
    assert quiet.end == time(7, 0), quiet.end


def test_unquoted_impossible_time_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("quiet_hours:\n  start: 25:00\n", encoding="utf-8")
    done = cli(tmp_path, "check-config", "--config", str(bad))
    assert done.returncode == 2, done.stdout
    no_traceback(done)
    assert "quiet_hours.start" in done.stderr


# --- channels: telegram needs its token -----------------------------------------------------

def test_run_refuses_telegram_without_a_token(tmp_path: Path) -> None:
    """No CLASSBOT_TELEGRAM_TOKEN: a Chinese message that names the variable, exit 2."""
    config = tmp_path / "config.yaml"
    config.write_text("channels: [telegram]\n", encoding="utf-8")
    done = cli(tmp_path, "run")
    assert done.returncode == 2, (done.stdout, done.stderr)
    no_traceback(done)
    message = done.stderr + done.stdout
    assert "CLASSBOT_TELEGRAM_TOKEN" in message and "没有启动" in message, message
    assert "BotFather" in message and "export CLASSBOT_TELEGRAM_TOKEN=" in message, message


def test_check_config_warns_about_a_missing_token(tmp_path: Path) -> None:
    """check-config must not print OK for a file that `classbot run` then refuses."""
    config = tmp_path / "config.yaml"
    config.write_text("channels: [console, telegram]\n", encoding="utf-8")
    done = cli(tmp_path, "check-config")
    no_traceback(done)
    assert done.returncode == 2, done.stdout
    assert "CLASSBOT_TELEGRAM_TOKEN" in done.stderr, done.stderr
    assert "OK" not in done.stdout


def test_run_refuses_a_rejected_token(tmp_path: Path) -> None:
    """A token Telegram answers 401 to stops start-up with the fix, not a traceback."""
    from tests.fake_telegram.server import FakeTelegram

    async def run_against_fake() -> subprocess.CompletedProcess[str]:
        fake = await FakeTelegram().start()
        try:
            config = tmp_path / "config.yaml"
            config.write_text(f"channels: [telegram]\ntelegram: {{base_url: '{fake.base_url}'}}\n"
                              f"database_url: sqlite:///{tmp_path / 'x.db'}\n",
                              encoding="utf-8")
            env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                   "CLASSBOT_TELEGRAM_TOKEN": "999:WRONG", "NO_PROXY": "127.0.0.1"}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(process.communicate(), 120)
            return subprocess.CompletedProcess([], process.returncode or 0, out.decode(),
                                               err.decode())
        finally:
            await fake.stop()

    done = asyncio.run(run_against_fake())
    assert done.returncode == 2, (done.stdout, done.stderr)
    no_traceback(done)
    assert "拒绝" in done.stderr and "CLASSBOT_TELEGRAM_TOKEN" in done.stderr, done.stderr
