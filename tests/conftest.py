from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests import database
from tests.harness import Harness, make_config
from tests.seeded import build_database, start_on_copy

# Loopback only, never through a proxy (the platform fakes of later suites rely on it).
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
# python-telegram-bot 22: retry_after as a timedelta already (the adapter reads both forms).
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """On PostgreSQL, each test's databases go when it ends (shared templates stay)."""
    mark = database.created_count()
    yield
    if database.on_postgres():
        database.drop_created_since(mark)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "classbot.db"


async def _nothing(_h: Harness) -> None:
    """The first start alone: schema created, the configured class seeded."""


async def _setup_class(h: Harness) -> None:
    await h.setup_class()


@pytest.fixture(scope="session")
def started_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory, "started", make_config, _nothing)


@pytest.fixture(scope="session")
def bound_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory, "bound", make_config, _setup_class)


@pytest.fixture
async def harness(started_db: Path, db_path: Path) -> AsyncIterator[Harness]:
    """The configured class (三年级二班, roster 李明 张华 赵雪), no group bound yet."""
    h = await start_on_copy(started_db, db_path, make_config)
    yield h
    await h.stop()


@pytest.fixture
async def bound(bound_db: Path, db_path: Path) -> AsyncIterator[Harness]:
    """A bound class with 李明妈妈, 张华爸爸 and 赵雪爸爸 registered (Harness.setup_class)."""
    h = await start_on_copy(bound_db, db_path, make_config)
    yield h
    await h.stop()
