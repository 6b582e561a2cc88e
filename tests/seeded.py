"""Databases built once per test process and copied for each test that starts from them.

Building a class (schema, seed, #绑定, three #登记 …) costs far more than copying the SQLite file
it ends in. Tests that start from the same state share one build, and each gets its own copy,
so no test sees another's writes. A bot started on a copy finds exactly what a restart on the
original would find (which the restart tests show is all the state there is).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from core.config import Config
from tests import database
from tests.harness import Harness

# SQLite keeps recent writes in these beside the file while a connection is open; a stopped bot
# has folded them back, but a copy takes them along if they are there.
_COMPANIONS = ("", "-wal", "-shm")


def copy_database(source: Path, target: Path) -> None:
    if database.on_postgres():
        database.copy(source, target)
        return
    for suffix in _COMPANIONS:
        part = source.with_name(source.name + suffix)
        if part.exists():
            shutil.copyfile(part, target.with_name(target.name + suffix))


async def start_on_copy(template: Path, target: Path,
                        config: Callable[[Path], Config]) -> Harness:
    """A bot on its own copy of `template` (stop it when done)."""
    copy_database(template, target)
    return await Harness(config(target)).start()


def build_database(factory: pytest.TempPathFactory, name: str,
                   config: Callable[[Path], Config],
                   steps: Callable[[Harness], Awaitable[None]]) -> Path:
    """Start a bot on a new database, run `steps` through it, stop it; returns the file.

    For session- or module-scoped fixtures: those are set up outside any event loop, hence
    asyncio.run."""
    path = factory.mktemp(name) / f"{name}.db"

    async def build() -> None:
        h = await Harness(config(path)).start()
        try:
            await steps(h)
        finally:
            await h.stop()

    asyncio.run(build())
    return path
