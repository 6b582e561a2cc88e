"""The inline SQLite driver (models/inline.py, issue 14; what `sqlite:///` means): statements run
in the event loop's greenlet, and waiting for another connection's write lock never blocks the
loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from core.config import Config
from models import Database
from tests.database import on_postgres

pytestmark = pytest.mark.skipif(on_postgres(), reason="a SQLite driver")


@pytest.mark.parametrize(("url", "driver"), [
    ("sqlite:///x.db", "inline"),  # the default spelling
    ("sqlite+inline:///x.db", "inline"),
    ("sqlite+aiosqlite:///x.db", "aiosqlite"),  # written out: kept as asked
])
async def test_the_url_chooses_the_driver(url: str, driver: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = Database(url)
    assert db.engine.dialect.driver == driver
    assert db.engine.url.database == "x.db"
    await db.dispose()


def test_the_default_configuration_runs_inline() -> None:
    assert Database(Config().database_url).engine.dialect.driver == "inline"


async def test_a_locked_database_is_waited_for_with_the_loop_free(tmp_path: Path) -> None:
    path = tmp_path / "inline.db"
    db = Database(f"sqlite+aiosqlite:///{path}", inline=True)
    assert db.engine.dialect.driver == "inline"
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    release = asyncio.get_running_loop().call_later(0.2, lambda: other.execute("COMMIT"))
    try:
        async with db.session() as session, session.begin():
            await session.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        ticking.cancel()
        release.cancel()
        other.close()
    assert ticks >= 5  # the loop ran while the statement waited for the lock
    async with db.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 1
    await db.dispose()


async def test_a_savepoint_rolls_back_alone(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}", inline=True)
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    async with db.session() as session, session.begin():
        await session.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                await session.execute(text("INSERT INTO t VALUES (2)"))
                raise RuntimeError("this event failed")
    async with db.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM t")) == 1
    await db.dispose()


async def test_a_statement_alone_takes_no_turn_of_the_loop(tmp_path: Path) -> None:
    """The outbox sender's read before a reply and its marks (Database.single) run straight
    through: no task for the close, so nothing else runs in between on a busy loop."""
    db = Database(f"sqlite:///{tmp_path / 'inline.db'}")
    turns = 0
    stop = asyncio.Event()

    async def count_turns() -> None:
        nonlocal turns
        while not stop.is_set():
            await asyncio.sleep(0)
            turns += 1

    counter = asyncio.create_task(count_turns())
    await asyncio.sleep(0)
    before = turns
    for _ in range(10):
        async with db.single() as session, session.begin():
            await session.execute(text("SELECT 1"))
    assert turns == before
    stop.set()
    await counter
    await db.dispose()
