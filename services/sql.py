"""How statements are built and run where it matters: the few that differ between SQLite and
PostgreSQL (ON CONFLICT), and the hot path's — statements every incoming message runs,
compiled once and run on the driver's cursor (`Prepared`), their rows made ORM objects without
a SELECT (`attached`, `loaded`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from models import Base

R = TypeVar("R", bound=Base)


def dialect_insert(session: AsyncSession, model: type[Base] | Table) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL spell them alike).
    A Table (`Model.__table__`) skips the ORM's bulk-insert work when no object is wanted."""
    module = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return module.insert(model)


async def insert_if_absent(session: AsyncSession, model: type[Base], values: dict[str, Any],
                           unique: list[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING; returns the new id, or None when the row existed.
    On the table: the ORM's insert path cost ten times the statement (an outbox row per reply)."""
    stmt = _absent_statement(session.bind.dialect.name, _table(model), tuple(values),
                             tuple(unique))
    return (await session.execute(stmt, values)).scalar_one_or_none()


@functools.cache
def _absent_statement(dialect: str, table: Table, names: tuple[str, ...],
                      unique: tuple[str, ...]) -> Any:
    """Built once per table and set of columns, with bound parameters: building the statement
    with its values inline cost more than running it (an outbox row has 22 columns)."""
    return ((postgresql if dialect == "postgresql" else sqlite).insert(table)
            .values({name: bindparam(name, type_=table.c[name].type) for name in names})
            .on_conflict_do_nothing(index_elements=list(unique))
            .returning(table.c.id))


def _table(model: type[Base] | Table) -> Table:
    """The mapped class's table (the session still sees the statement, so its events — the
    directory's invalidation — fire as for the class)."""
    return model if isinstance(model, Table) else model.__table__  # type: ignore[return-value]


async def upsert(session: AsyncSession, model: type[Base], values: dict[str, Any],
                 unique: list[str], update: list[str]) -> None:
    """INSERT … ON CONFLICT DO UPDATE of the `update` columns: one statement on both backends."""
    stmt = dialect_insert(session, _table(model)).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=unique,
                                      set_={key: stmt.excluded[key] for key in update})
    await session.execute(stmt)


async def insert_unless_taken(session: AsyncSession, model: type[Base],
                              values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING against every unique constraint of the table (a slot's
    seat, a family's turn): the new id, or None when any of them was taken."""
    table = _table(model)
    stmt = (dialect_insert(session, table).values(**values).on_conflict_do_nothing()
            .returning(table.c.id))
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
    mapper = _mapper(model)
    key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    sync = session.sync_session
    found = sync.identity_map.get(key)
    if found is not None:
        for name, value in values.items():
            set_committed_value(found, name, value)
        return found  # type: ignore[no-any-return]
    row = loaded(model, values)
    sync.add(row)
    return row


@functools.cache
def _mapper(model: type[Base]) -> Any:
    return inspect(model)  # a lookup per call otherwise (µs on every cached row's copy)


def loaded(model: type[R], values: Mapping[str, Any]) -> R:
    """A detached instance holding `values` as if loaded from its row. Built without the
    mapped class's constructor, which cost half of a cached row's copy (its attribute events
    and defaults; measured 85 µs against 44 µs with the session's add)."""
    row = _mapper(model).class_manager.new_instance()
    row.__dict__.update(values)
    make_transient_to_detached(row)
    return row  # type: ignore[no-any-return]


class Prepared:
    """A Core statement compiled once per dialect and run on the driver's own cursor, for the
    two or three statements every incoming message runs (the inbound claim, the identity
    upsert, the acknowledgement).

    Why: through SQLAlchemy's Core execution a statement cost ≈ 190 µs of Python on the inline
    SQLite driver (cache key, execution context, result object) against ≈ 20 µs for the driver
    itself — a third of a 收到's time. Here the SQL string, the parameter order and the type
    conversions (SQLAlchemy's own bind and result processors, so a datetime is stored and read
    back exactly as through the ORM) are worked out once; each run is one hop into the
    connection's greenlet and the dialect's `do_execute` (the inline driver's lock-wait retry,
    asyncpg's prepared statements). Same connection, same transaction as the session's.
    Only for statements no ORM event needs to see (it bypasses them, like `run`)."""

    def __init__(self, build: Callable[[str], Any]) -> None:
        self._build = build  # dialect name → the Core statement
        self._compiled: dict[str, _Compiled] = {}

    async def rows(self, session: AsyncSession, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return await session.run_sync(self._rows, params)  # one hop into the greenlet

    def _rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        if not session._is_clean():  # pending ORM changes first, as session.execute would
            session.flush()
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self._build(dialect.name), dialect)
        return compiled.run(connection, compiled.arguments(params))


class _Compiled:
    def __init__(self, stmt: Any, dialect: Any) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        # literal values the statement carries (`… WHERE id = 1`); the rest come per run
        self.fixed = {name: bind.effective_value for name, bind in compiled.binds.items()}
        self.order = tuple(compiled.positiontup or ())
        self.binds = tuple(_bind_processor(compiled.binds[name].type, dialect)
                           for name in self.order)
        self.results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                             for c in stmt.exported_columns)

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        fixed = self.fixed
        out = []
        for name, process in zip(self.order, self.binds, strict=True):
            value = params[name] if name in params else fixed[name]
            out.append(process(value) if process is not None else value)
        return tuple(out)

    def run(self, connection: Any, arguments: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cursor = connection.connection.dbapi_connection.cursor()
        # The engine's cursor events still see the statement (the statement-count tests,
        # anyone's SQL tracing), as they would through Connection.execute.
        observed = connection._has_events or connection.engine._has_events
        try:
            if observed:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, self.sql, arguments, None, False)
            connection.dialect.do_execute(cursor, self.sql, arguments, None)
            if observed:
                connection.dispatch.after_cursor_execute(
                    connection, cursor, self.sql, arguments, None, False)
            rows = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
        results = self.results
        return [tuple(p(v) if p is not None else v for p, v in zip(results, row, strict=True))
                for row in rows]


def _bind_processor(type_: Any, dialect: Any) -> Callable[[Any], Any] | None:
    return type_.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]


class PreparedRows:
    """A multi-row statement (`INSERT … VALUES (…), (…) …`) for a batch of incoming events —
    their claims, their senders' accounts — compiled once per dialect and number of rows.

    Why: a flood's messages each paid a round trip of their own for these (on PostgreSQL the
    round trips, not the statements, were most of a 收到's time). A batch of any size runs as
    chunks whose sizes are powers of two (50 rows: 32 + 16 + 2), so a statement has at most
    seven shapes: PostgreSQL prepares each once per connection, and asyncpg's statement cache
    is not crowded out by one shape per batch size. All chunks run in one hop into the
    connection's greenlet. `build(dialect, rows)` names row i's parameters `{name}_{i}`
    (`row_binds`); parameters every row shares keep their own names."""

    LARGEST = 64

    def __init__(self, build: Callable[[str, int], Any]) -> None:
        self._build = build
        self._by_size: dict[int, Prepared] = {}

    async def rows(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]],
                   shared: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if not rows:
            return []
        chunks = []
        start = 0
        for size in chunk_sizes(len(rows), self.LARGEST):
            params = dict(shared or {})
            for i, row in enumerate(rows[start:start + size]):
                params.update({f"{name}_{i}": value for name, value in row.items()})
            chunks.append((self._of_size(size), params))
            start += size
        return await session.run_sync(self._run, chunks)

    def _of_size(self, size: int) -> Prepared:
        prepared = self._by_size.get(size)
        if prepared is None:
            prepared = self._by_size[size] = Prepared(
                functools.partial(self._build, rows=size))
        return prepared

    @staticmethod
    def _run(session: Session, chunks: list[tuple[Prepared, dict[str, Any]]]
             ) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for prepared, params in chunks:
            out += prepared._rows(session, params)
        return out


def chunk_sizes(count: int, largest: int) -> list[int]:
    """`count` as a sum of powers of two no larger than `largest`, largest first."""
    sizes = [largest] * (count // largest)
    rest, size = count % largest, largest // 2
    while rest:
        if size <= rest:
            sizes.append(size)
            rest -= size
        size //= 2
    return sizes


def row_binds(table: Table, names: Sequence[str], rows: int) -> list[dict[str, BindParameter[Any]]]:
    """The VALUES of a `rows`-row INSERT with bound parameters `{name}_{i}` (`PreparedRows`)."""
    return [{name: bindparam(f"{name}_{i}", type_=table.c[name].type) for name in names}
            for i in range(rows)]
