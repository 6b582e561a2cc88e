"""Pooled connections to a database server (PostgreSQL): a connection that lay idle is checked
before use and replaced when dead; one back in use at once is not pinged (issue 14: a ping on
every checkout was a fifth of a flood's round trips)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from models import Database
from models import db as models_db
from tests.database import on_postgres, url_for

pytestmark = pytest.mark.skipif(not on_postgres(), reason="needs a PostgreSQL server")


def counting_pings(monkeypatch: pytest.MonkeyPatch, database: Database) -> list[int]:
    pings: list[int] = []
    dialect = database.engine.sync_engine.dialect
    real = dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(dialect, "do_ping", ping)
    return pings


async def backend_pid(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_back_in_use_at_once_is_not_pinged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = Database(url_for(tmp_path / "pool.db"))
    try:
        pings = counting_pings(monkeypatch, database)
        first = await backend_pid(database)
        for _ in range(5):
            assert await backend_pid(database) == first  # the same pooled connection
        assert pings == []
    finally:
        await database.dispose()


async def test_a_dead_idle_connection_is_replaced_before_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server dropped the pooled connection while it lay idle (a restart, an idle
    timeout): the next unit of work gets a new connection instead of an error."""
    database = Database(url_for(tmp_path / "pool.db"))
    watcher = Database(url_for(tmp_path / "pool.db"))
    try:
        pings = counting_pings(monkeypatch, database)
        dead = await backend_pid(database)
        async with watcher.session() as session:
            await session.execute(text(f"SELECT pg_terminate_backend({dead})"))
        monkeypatch.setattr(models_db, "IDLE_BEFORE_PING", 0.0)  # it has lain idle long enough
        assert await backend_pid(database) != dead
        assert pings, "the idle connection was not checked"
    finally:
        await database.dispose()
        await watcher.dispose()
