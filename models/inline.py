"""SQLite without a thread hop per statement: the stdlib driver run inline under the asyncio API.

Why (issue 14): through aiosqlite every statement crosses to aiosqlite's thread and back, and on
a busy 2-core machine each crossing waits for the OS scheduler; that, not SQLite, was most of
an incoming message's time (profiled: epoll waits and queue hand-overs ≈ half the wall time).
Here SQLAlchemy's async session runs the sqlite3 calls directly in its greenlet. A statement
takes microseconds (WAL, synchronous=NORMAL: a commit does not fsync), so running it on the
event loop costs less than handing it over.

What must never block the loop is waiting for a lock another process holds: the connection's
busy timeout is zero, and a statement refused with SQLITE_BUSY is retried after an `await`ed
sleep (doubling up to 50 ms) until `timeout` seconds have passed, as sqlite's own busy handler
would have, but with the loop free meanwhile. A refused statement did nothing, so repeating it
is safe.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool, StaticPool
from sqlalchemy.util.concurrency import await_

DRIVER = "inline"
FIRST_WAIT = 0.001  # seconds before the first retry of a statement refused with SQLITE_BUSY
LONGEST_WAIT = 0.05


async def _nothing() -> None:
    """Awaited once per statement: the async engine insists that each execution awaits
    something; this completes at once, without a trip through the event loop."""


class InlineCursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What SQLAlchemy's async result calls on an adapted cursor; nothing is buffered."""


class InlineConnection(sqlite3.Connection):
    busy_for: float = 30.0  # seconds a statement may wait for another process's lock

    def cursor(self, factory: Any = InlineCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, 261, 517) or \
        "database is locked" in str(exc)


def _patiently(cursor: Any, run: Callable[[], Any]) -> None:
    """Run `run()`; while the database is locked by someone else, yield to the loop and retry."""
    await_(_nothing())
    deadline: float | None = None
    wait = FIRST_WAIT
    while True:
        try:
            run()
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + getattr(cursor.connection, "busy_for", 30.0)
            if now >= deadline:
                raise
            await_(asyncio.sleep(wait))
            wait = min(wait * 2, LONGEST_WAIT)


class InlineDialect(SQLiteDialect_pysqlite):
    """pysqlite, declared async so `create_async_engine` accepts it."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[Pool]:
        return AsyncAdaptedQueuePool if cls._is_url_file_db(url) else StaticPool

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = super().create_connect_args(url)
        busy_for = float(kwargs.pop("timeout", 30.0))
        kwargs.update(factory=InlineConnection, timeout=0, check_same_thread=False)
        self._busy_for = busy_for
        return args, kwargs

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        connection = super().connect(*args, **kwargs)
        connection.busy_for = getattr(self, "_busy_for", 30.0)
        return connection

    def do_execute(self, cursor: Any, statement: str, parameters: Any,
                   context: Any = None) -> None:
        _patiently(cursor, lambda: cursor.execute(statement, parameters))

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        _patiently(cursor, lambda: cursor.execute(statement))

    def do_executemany(self, cursor: Any, statement: str, parameters: Any,
                       context: Any = None) -> None:
        _patiently(cursor, lambda: cursor.executemany(statement, parameters))


    # Savepoints (one per event of a group-committed batch, issue 14) go straight to the
    # cursor: the default compiles and runs a SavepointClause through Connection.execute,
    # which cost more than the statements of a repeated 收到. The engine's savepoint events
    # still fire (Connection calls these hooks after dispatching them); its cursor events too.
    def do_savepoint(self, connection: Any, name: str) -> None:
        self.execute_direct(connection, f"SAVEPOINT {self.identifier_preparer.quote(name)}")

    def do_release_savepoint(self, connection: Any, name: str) -> None:
        self.execute_direct(connection, f"RELEASE SAVEPOINT {self.identifier_preparer.quote(name)}")

    def do_rollback_to_savepoint(self, connection: Any, name: str) -> None:
        self.execute_direct(connection,
                            f"ROLLBACK TO SAVEPOINT {self.identifier_preparer.quote(name)}")

    def execute_direct(self, connection: Any, statement: str) -> None:
        """A statement without parameters on the connection's cursor, past Connection.execute
        (savepoints here, BEGIN IMMEDIATE in models/db.py); a refused one is retried patiently."""
        cursor = connection.connection.dbapi_connection.cursor()
        observed = connection._has_events or connection.engine._has_events
        try:
            if observed:
                connection.dispatch.before_cursor_execute(connection, cursor, statement, (),
                                                          None, False)
            self.do_execute_no_params(cursor, statement)
            if observed:
                connection.dispatch.after_cursor_execute(connection, cursor, statement, (),
                                                         None, False)
        finally:
            cursor.close()


registry.register(f"sqlite.{DRIVER}", __name__, "InlineDialect")


AIOSQLITE = "sqlite+aiosqlite:"


def sqlite_url(url: str, inline: bool | None = None) -> str:
    """The URL SQLAlchemy gets for a configured one. SQLite without a driver (`sqlite:///x`,
    the default) and `sqlite+inline:///x` run on this driver; `sqlite+aiosqlite:///x`, written
    out, keeps aiosqlite. `inline` forces one or the other (the benchmark compares them);
    other databases pass through."""
    if not url.startswith("sqlite"):
        return url
    rest = url.split(":", 1)[1]
    if inline is None:
        inline = not url.startswith(AIOSQLITE)
    return f"sqlite+{DRIVER}:{rest}" if inline else f"{AIOSQLITE}{rest}"
