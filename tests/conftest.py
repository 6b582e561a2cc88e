from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness, make_config

# Loopback only, never through a proxy (the platform fakes of later suites rely on it).
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
# python-telegram-bot 22: retry_after as a timedelta already (the adapter reads both forms).
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "classbot.db"


@pytest.fixture
async def harness(db_path: Path) -> AsyncIterator[Harness]:
    h = await Harness(make_config(db_path)).start()
    yield h
    await h.stop()


@pytest.fixture
async def bound(harness: Harness) -> Harness:
    """A bound class with 李明妈妈, 张华爸爸 and 赵雪爸爸 registered."""
    await harness.setup_class()
    return harness
