"""The few statements that differ between SQLite and PostgreSQL, kept in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import Base

R = TypeVar("R", bound=Base)


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


# --- the hot path: Core on the session's connection, rows attached without a SELECT ----------
# Measured (issue 14, inline SQLite): the identity upsert through the ORM (`insert(Identity)`
# with `returning(Identity)`) cost 937 µs; the same statement on the table, run on the
# session's connection, 190 µs. Statements that run for every incoming message go this way.


async def run(session: AsyncSession, stmt: Any, params: dict[str, Any] | None = None) -> Any:
    """Execute a Core statement on the session's connection (same transaction), skipping the
    ORM's execution layer and its events — use it only for statements on tables whose changes
    nothing else in the session is tracking. Pending ORM changes are flushed first, as the
    session's own execute would (`_is_clean` is the check that flush makes itself)."""
    if not session.sync_session._is_clean():
        await session.flush()
    connection = await session.connection()
    return await connection.execute(stmt, params)


def attached(session: AsyncSession, model: type[R], values: Mapping[str, Any]) -> R:
    """The mapped object for a row a Core statement returned, part of the session as if it had
    been loaded (clean: only later changes flush). A row already in the session is updated in
    place (a batch's second message from the same sender), so callers share one object."""
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    sync = session.sync_session
    found = sync.identity_map.get(key)
    if found is not None:
        for name, value in values.items():
            set_committed_value(found, name, value)
        return found  # type: ignore[no-any-return]
    row = model(**values)
    make_transient_to_detached(row)
    sync.add(row)
    return row
