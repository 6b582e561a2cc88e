"""Who is who, cached in the process: people, classes, group bindings, memberships, roles,
families and each class's newest notice.

Why: every incoming message used to re-read the same six or seven rows (issue 14: 23
statements per 收到, and the cost grew with the district). These rows change rarely, so each
process keeps them, and one database row (`directory_stamp`) says whether its copy is current:

- any transaction that writes one of the `WATCHED` tables bumps the stamp as it commits (the
  session hooks below see ORM flushes and bulk statements alike, whichever service wrote), so
  another process sees the change and the new stamp together or neither;
- a unit of work reads the stamp once (the inbound claim carries it in its RETURNING, a due job
  reads it on first use) and drops the whole cache when it moved;
- inside a transaction that wrote a watched table the cache is cleared and bypassed until the
  end: what it reads is uncommitted and may still roll back.

Cached ORM rows are detached copies; `attach` merges one into the caller's session without a
SELECT, so a handler that changes a cached person writes through its own session as before.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Awaitable, Callable
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.session import ORMExecuteState

from models import Base, DirectoryStamp
from services import sql
from services.uow import UnitOfWork

T = TypeVar("T")
R = TypeVar("R", bound=Base)

# A write to any of these tables changes something the directory caches.
WATCHED = frozenset({"people", "classes", "group_bindings", "memberships", "school_roles",
                     "students", "notices"})
MAX_ENTRIES = 200_000  # a district of 1,000 classes × 40 families needs about 50,000

_STAMP = "directory_stamp"  # session.info: the stamp this transaction read
_WROTE = "directory_wrote"  # session.info: this transaction wrote a watched table
_KEPT = "directory_kept"  # session.info: the rows attached so far (kept for the session)
_CHECKED = "directory_checked"  # session.info: the directory, checked against the stamp


class Directory:
    """One process's copy, valid for one stamp version."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.entries: dict[tuple[Any, ...], Any] = {}
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self.entries.clear()


_directories: weakref.WeakKeyDictionary[Engine, Directory] = weakref.WeakKeyDictionary()


def of_engine(engine: Engine) -> Directory:
    directory = _directories.get(engine)
    if directory is None:
        directory = _directories[engine] = Directory()
    return directory


def _of_session(session: Session) -> Directory | None:
    bind = session.bind
    engine = bind.engine if bind is not None else None
    return of_engine(engine) if isinstance(engine, Engine) else None


def stamp_column() -> ScalarSelect[int]:
    """The stamp as a column, for a statement that runs anyway (the inbound claim)."""
    return select(DirectoryStamp.version).where(DirectoryStamp.id == 1).scalar_subquery()


def note_stamp(uow: UnitOfWork, version: int | None) -> None:
    """The stamp this transaction read (None: no row yet, i.e. version 0)."""
    uow.session.info.setdefault(_STAMP, version or 0)


async def _current(uow: UnitOfWork) -> Directory | None:
    """The process's directory, made current for this transaction; None to bypass it."""
    info = uow.session.info
    if info.get(_WROTE):
        return None
    directory: Directory | None = info.get(_CHECKED)
    if directory is not None:  # already made current in this transaction
        return directory
    directory = _of_session(uow.session.sync_session)
    if directory is None:
        return None
    if _STAMP not in info:
        note_stamp(uow, await uow.session.scalar(select(DirectoryStamp.version)
                                                 .where(DirectoryStamp.id == 1)))
    version = info[_STAMP]
    if directory.version != version:
        directory.clear()
        directory.version = version
    info[_CHECKED] = directory
    return directory


async def cached(uow: UnitOfWork, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s value for `key`, from the process's copy when it is current."""
    directory = await _current(uow)
    if directory is None:
        return await load()
    if key in directory.entries:
        directory.hits += 1
        return directory.entries[key]  # type: ignore[no-any-return]
    directory.misses += 1
    value = await load()
    if not uow.session.info.get(_WROTE):  # loading may have flushed a write of this unit
        if len(directory.entries) >= MAX_ENTRIES:
            directory.clear()
        directory.entries[key] = value
    return value


def detached(row: R) -> R:
    """A copy of a loaded row that belongs to no session (safe to keep across transactions).
    A cached row is copied every time a transaction attaches it (several times per incoming
    message), so the copy skips the mapped class's constructor (services/sql.loaded)."""
    source = row.__dict__  # the loaded columns (a row's own dict: no inspection per copy)
    return sql.loaded(type(row), {key: source[key] for key in _column_keys(type(row))
                                  if key in source})


@functools.cache
def _column_keys(model: type[Base]) -> tuple[str, ...]:
    return tuple(attr.key for attr in inspect(model).column_attrs)


async def attach(uow: UnitOfWork, row: R | None) -> R | None:
    """A cached detached row as part of this session (no SELECT; changes flush as usual)."""
    if row is None:
        return None
    return _attached(uow.session.sync_session, row)


async def attach_all(uow: UnitOfWork, rows: list[R]) -> list[R]:
    session = uow.session.sync_session
    return [_attached(session, row) for row in rows]


def _attached(session: Session, row: R) -> R:
    """What `session.merge(row, load=False)` does for a row without loaded relationships, at
    a fraction of its cost (it ran several times for every incoming message): the session's
    own copy when it has one, else a fresh copy added as loaded-and-clean."""
    found = session.identity_map.get(instance_state(row).key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    copy = detached(row)
    session.add(copy)
    # The session's identity map holds rows weakly: without this the copy would be gone by
    # the batch's next event, which would copy the same class and notice again.
    session.info.setdefault(_KEPT, []).append(copy)
    return copy


def remember(uow: UnitOfWork, row: Base) -> None:
    """Keep a row a bigger load read anyway (a class's members bring their person rows)."""
    directory = _of_session(uow.session.sync_session)
    key = (row.__tablename__, inspect(row).identity[0])
    if directory is not None and not uow.session.info.get(_WROTE) and key not in directory.entries:
        directory.entries[key] = detached(row)


async def row(uow: UnitOfWork, model: type[R], row_id: int) -> R | None:
    """`session.get`, through the directory (for the watched tables' rows)."""
    async def load() -> R | None:
        found = await uow.session.get(model, row_id)
        return detached(found) if found is not None else None

    return await attach(uow, await cached(uow, (model.__tablename__, row_id), load))


# --- invalidation: every session, whichever service writes ---------------------------------

def _wrote(session: Session) -> None:
    if not session.info.get(_WROTE):
        session.info[_WROTE] = True
        directory = _of_session(session)
        if directory is not None:
            directory.clear()


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in WATCHED and (obj in session.new or obj in session.deleted
                                 or session.is_modified(obj)):
            _wrote(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED:
            _wrote(state.session)


@event.listens_for(Session, "before_commit")
def _bump_on_commit(session: Session) -> None:
    session.flush()  # a pending change may be to a watched table
    if not session.info.pop(_WROTE, False):
        return
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(module.insert(DirectoryStamp).values(id=1, version=1).on_conflict_do_update(
        index_elements=["id"], set_={"version": DirectoryStamp.version + 1}))


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_WROTE, None)
        session.info.pop(_STAMP, None)
        session.info.pop(_KEPT, None)
        session.info.pop(_CHECKED, None)


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    session.info.pop(_STAMP, None)
    session.info.pop(_KEPT, None)
    session.info.pop(_CHECKED, None)
