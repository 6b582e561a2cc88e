"""Run Python as an unprivileged user against a read-only copy of an installed package.

Root ignores file permissions, so as root the child runs as `nobody` (setpriv); as anyone
else, as that user. The "copy" costs nothing: every entry links to the installed package,
except the folders listed in `fresh`, whose files that an import would create are left out.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        raise RuntimeError("running as root without setpriv: cannot drop privileges")
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


@contextmanager
def world_readable_dir() -> Iterator[Path]:
    """A temp folder `nobody` can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="classbot-ro-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for folder, dirs, _files in os.walk(path):
            for name in dirs:
                Path(folder, name).chmod(0o755)
        path.chmod(0o755)
        shutil.rmtree(path, ignore_errors=True)


def pristine_jionlp(target: Path) -> Path:
    """`target/jionlp`: the installed jionlp as its wheel installs it (dictionaries still
    zipped), read-only. Returns `target` (for PYTHONPATH)."""
    import importlib.util
    import zipfile

    spec = importlib.util.find_spec("jionlp")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    shadow = target / "jionlp"
    shadow.mkdir(parents=True)
    target.chmod(0o755)
    for entry in package.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.name != "dictionary":
            (shadow / entry.name).symlink_to(entry)
            continue
        unpacked = {name for archive in entry.glob("*.zip")
                    for name in zipfile.ZipFile(archive).namelist()}
        (shadow / "dictionary").mkdir()
        for item in entry.iterdir():
            if item.name not in unpacked:
                (shadow / "dictionary" / item.name).symlink_to(item)
    read_only = stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | \
        stat.S_IXOTH
    (shadow / "dictionary").chmod(read_only)
    shadow.chmod(read_only)
    return target


def run_python(code: str, pythonpath: list[Path], env: dict[str, str],
               cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*as_unprivileged(), sys.executable, "-c", code], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin",
                               "PYTHONPATH": ":".join(map(str, pythonpath)),
                               "PYTHONDONTWRITEBYTECODE": "1", **env})
