"""Declarative base and the UTC datetime type (SQLite hands back naive datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# The largest value an INTEGER column holds on PostgreSQL (SQLite's bound is 2**63 - 1, so it
# would accept what PostgreSQL refuses: the smaller bound is the one every number obeys).
MAX_STORED_INT = 2**31 - 1


def storable(number: int) -> bool:
    """Whether `number` can be an id or an item number in the database at all.

    A number typed by a user (`#未读 9223372036854775808`) outside this range is "not found":
    compared with a column it would crash the query (SQLite from 2**63, PostgreSQL from 2**31,
    asyncpg printing the value into the log), and no row can carry it anyway.
    """
    return 0 < number <= MAX_STORED_INT


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass
