"""The few statements that differ between SQLite and PostgreSQL, kept in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models import Base


def dialect_insert(session: AsyncSession, model: type[Base] | Table) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL spell them alike).
    A Table (`Model.__table__`) skips the ORM's bulk-insert work when no object is wanted."""
    module = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return module.insert(model)


async def insert_if_absent(session: AsyncSession, model: type[Base], values: dict[str, Any],
                           unique: list[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING; returns the new id, or None when the row existed."""
    stmt = (dialect_insert(session, model).values(**values)
            .on_conflict_do_nothing(index_elements=unique)
            .returning(model.id))  # type: ignore[attr-defined]
    return (await session.execute(stmt)).scalar_one_or_none()


async def upsert(session: AsyncSession, model: type[Base], values: dict[str, Any],
                 unique: list[str], update: list[str]) -> None:
    """INSERT … ON CONFLICT DO UPDATE of the `update` columns: one statement on both backends."""
    dialect = session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(model).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=unique,
                                      set_={key: stmt.excluded[key] for key in update})
    await session.execute(stmt)


async def insert_unless_taken(session: AsyncSession, model: type[Base],
                              values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING against every unique constraint of the table (a slot's
    seat, a family's turn): the new id, or None when any of them was taken."""
    dialect = session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = (module.insert(model).values(**values).on_conflict_do_nothing()
            .returning(model.id))  # type: ignore[attr-defined]
    return (await session.execute(stmt)).scalar_one_or_none()
