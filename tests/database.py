"""Which database the tests run on: SQLite files by default, PostgreSQL when asked.

CLASSBOT_TEST_DATABASE_URL (e.g. `postgresql+asyncpg://classbot@127.0.0.1:5433/postgres`, set
by .ci/suite.sh for its PostgreSQL run) names a server and a database to administer it from.
Every test database is then a database of its own on that server, named after the path a
SQLite file would have had (tests keep thinking in paths: tmp_path / "classbot.db"), with this
process's token in the name so xdist workers and earlier runs never meet. A copy of a seeded
database (tests/seeded.py) is `CREATE DATABASE … TEMPLATE …`; `drop_created_since` lets the
conftest drop each test's databases when it ends, so a run does not fill the disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from models.inline import sqlite_url

ENV = "CLASSBOT_TEST_DATABASE_URL"
_TOKEN = uuid.uuid4().hex[:8]
_created: list[str] = []


def server_url() -> str | None:
    return os.environ.get(ENV) or None


def on_postgres() -> bool:
    return server_url() is not None


def _name(path: Path) -> str:
    return f"t_{_TOKEN}_{hashlib.sha1(str(path).encode()).hexdigest()[:16]}"


def _with_database(name: str) -> str:
    server = server_url()
    assert server is not None
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _blocking(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run an administrative statement to completion from sync or async code alike (a test's
    loop may be running: the statement gets a loop of its own on another thread)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _admin(*statements: str) -> None:
    server = server_url()
    assert server is not None
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def url_for(path: Path) -> str:
    """The database URL a test with this SQLite path uses (created empty on PostgreSQL)."""
    if not on_postgres():
        return f"sqlite:///{path}"
    name = _name(path)
    if name not in _created:
        _blocking(_admin(f'CREATE DATABASE "{name}"'))
        _created.append(name)
    return _with_database(name)


def copy(source: Path, target: Path) -> None:
    """PostgreSQL: `target` becomes a copy of `source` (which no connection may hold open)."""
    name = _name(target)
    statements = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'] if name in _created else []
    _blocking(_admin(*statements, f'CREATE DATABASE "{name}" TEMPLATE "{_name(source)}"'))
    if name not in _created:
        _created.append(name)


def created_count() -> int:
    return len(_created)


def drop_created_since(mark: int) -> None:
    """Drop the databases created after `mark` (a test's own, not the shared templates)."""
    names = _created[mark:]
    del _created[mark:]
    if names:
        _blocking(_admin(*[f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names]))


def fetch_all(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query, from a sync test, on whichever database the URL names."""
    rows: list[tuple[Any, ...]] = []

    async def query() -> None:
        engine = create_async_engine(sqlite_url(url))  # `sqlite:///`: the inline driver
        try:
            async with engine.connect() as conn:
                rows.extend(tuple(r) for r in (await conn.execute(text(sql))).all())
        finally:
            await engine.dispose()

    _blocking(query())
    return rows
