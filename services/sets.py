"""Reads over sets of ids, for set-based work (the weekly burst reads fifty classes at once).

Why (issue 14, profiled on PostgreSQL): `column.in_(ids)` renders one bind parameter per id at
every execution (SQLAlchemy's "expanding" IN is compiled again for each list: 45,000 parameters
rendered with their casts for 1,000 classes, about a tenth of the burst's CPU), and a read
through the session's ORM layer builds every row twice (the ORM's row processing on top of
the cursor's). `among` binds the ids as one array on PostgreSQL (`= ANY($1::INTEGER[])`, one
statement text whatever their number; SQLite keeps IN, which it plans the same way), and
`rows` runs a column read on the session's connection, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from services.sql import run


def among(session: AsyncSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values`, as one array parameter on PostgreSQL."""
    found = list(values)
    if session.bind.dialect.name == "postgresql":
        return column == any_(  # type: ignore[no-any-return]
            bindparam(None, found, type_=postgresql.ARRAY(column.type)))
    return column.in_(found)  # type: ignore[no-any-return]


async def rows(session: AsyncSession, stmt: Any) -> Sequence[Row[Any]]:
    """A read of columns (not mapped objects) on the session's connection: only what the
    statement names, with the columns' own type conversions; pending changes flushed first."""
    return (await run(session, stmt)).all()  # type: ignore[no-any-return]
