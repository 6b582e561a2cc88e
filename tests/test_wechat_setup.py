"""Setting WeChat up: the SDK shim, the required endpoint, the missing extra — each says what
to do, in Chinese, with exit code 2 and no traceback."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bot.extras import installed
from core.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]
# Skipped only when the extra is not installed at all: installed but failing to import is a
# failure (tests/test_extras.py says why), never a skip.
needs_extra = pytest.mark.skipif(
    not installed("wechat"),
    reason="the wechat extra is not installed (pip install -e '.[wechat]')")


def python(code: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "TMPDIR": str(cwd)})


def classbot(tmp_path: Path, config: str, *args: str, pre: str = "",
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    argv = ["classbot", *args, "--config", str(tmp_path / "config.yaml")]
    code = f"{pre}\nimport sys\nsys.argv = {argv!r}\nfrom bot.cli import main\nmain()"
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", **(env or {})})


@needs_extra
def test_the_sdk_still_needs_the_shim_and_imports_with_it(tmp_path: Path) -> None:
    """If this fails because plain `import wechaty` works, a new release fixed the dataclass
    default: delete the shim from bot/channels/wechaty_compat.py instead of keeping it."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "shimmed").mkdir()
    plain = python("import wechaty", tmp_path / "plain")
    assert plain.returncode != 0 and "mutable default" in plain.stderr, plain.stderr[-500:]
    shimmed = python("from bot.channels.wechaty_compat import load\n"
                     "wechaty = load()\n"
                     "from pyee import AsyncIOEventEmitter\n"  # needs pyee<12
                     "import urllib3; urllib3.get_host\n"  # needs urllib3<2
                     "print(wechaty.Wechaty.__name__)", tmp_path / "shimmed")
    assert shimmed.returncode == 0, shimmed.stderr[-500:]
    assert shimmed.stdout.strip() == "Wechaty"
    assert (tmp_path / "plain" / ".wechaty").exists()  # what the SDK does on its own …
    assert not (tmp_path / "shimmed" / ".wechaty").exists()  # … not into classbot's cwd


def test_wechat_without_endpoint_is_refused_naming_the_key(tmp_path: Path) -> None:
    for command in ("check-config", "run"):
        done = classbot(tmp_path, "channels: [wechat]\n", command)
        assert done.returncode == 2, done.stderr
        assert "wechat.endpoint" in done.stderr and "CLASSBOT_WECHAT_ENDPOINT" in done.stderr
        assert "Traceback" not in done.stderr


def test_endpoint_from_env_and_limits_from_config(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("channels: [wechat]\nwechat: {per_chat_seconds: 5}\n",
                                     encoding="utf-8")
    config = load_config(tmp_path / "c.yaml", env={"CLASSBOT_WECHAT_ENDPOINT": "gw.lan:8788"})
    assert config.wechat.endpoint == "gw.lan:8788" and config.wechat.per_chat_seconds == 5
    with pytest.raises(ConfigError) as bad:
        load_config(tmp_path / "c.yaml", env={"CLASSBOT_WECHAT_ENDPOINT": "gw.lan"})
    assert bad.value.problems[0]["key"] == "wechat.endpoint"


@needs_extra
def test_check_config_accepts_a_complete_wechat_setup(tmp_path: Path) -> None:
    done = classbot(tmp_path, "channels: [wechat]\nwechat: {endpoint: '127.0.0.1:8788'}\n",
                    "check-config", env={"CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert "wechat" in done.stdout


NOT_INSTALLED = """
import sys
from importlib import metadata
sys.modules['wechaty'] = None
real = metadata.distribution
def distribution(name):
    if name == 'wechaty':
        raise metadata.PackageNotFoundError(name)
    return real(name)
metadata.distribution = distribution
"""


def test_missing_extra_says_what_to_install(tmp_path: Path) -> None:
    done = classbot(tmp_path, "channels: [wechat]\nwechat: {endpoint: '127.0.0.1:8788'}\n",
                    "check-config", pre=NOT_INSTALLED)
    assert done.returncode == 2, done.stderr
    assert "pip install 'classbot[wechat]'" in done.stderr and "Traceback" not in done.stderr


@needs_extra
def test_an_installed_extra_that_fails_to_import_is_not_sent_to_install_it(
        tmp_path: Path) -> None:
    """As on Python 3.13 without the telnetlib backport: installed, yet `import` fails."""
    broken = "import sys\nsys.modules['wechaty'] = None  # installed, but the import fails"
    done = classbot(tmp_path, "channels: [wechat]\nwechat: {endpoint: '127.0.0.1:8788'}\n",
                    "check-config", pre=broken)
    assert done.returncode == 2, done.stderr
    assert "pip install" not in done.stderr and "Traceback" not in done.stderr
    assert "已经安装" in done.stderr and "wechaty" in done.stderr


def sdk_internals_used(source: str) -> list[str]:
    """Private names reached on objects other than the channel itself, and imports of the SDK's
    inner modules: what belongs in wechaty_compat, the one place for SDK breakage."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wechaty."):
            found.append(f"from {node.module} import … (line {node.lineno})")
    return found


def test_the_channel_reaches_no_sdk_internals() -> None:
    channel = (REPO / "bot" / "channels" / "wechaty.py").read_text(encoding="utf-8")
    assert sdk_internals_used(channel) == []
    assert sorted(sdk_internals_used("bot.Room._pool.clear()\nfrom wechaty.utils import x\n")) == [
        "bot.Room._pool (line 1)", "from wechaty.utils import … (line 2)"]
