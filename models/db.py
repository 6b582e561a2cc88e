"""Engine and session factory; one code path for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models.base import Base
from models.inline import DRIVER, sqlite_url

# aiosqlite logs every call with its SQL parameters at DEBUG: a parent's letter would reach the
# logs of anyone debugging. Its INFO and above (errors) still show.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


READ_ONLY = "classbot_read_only"
ONE_STATEMENT = "classbot_one_statement"
# None: the URL chooses the SQLite driver (models/inline.sqlite_url: `sqlite:///` runs inline,
# `sqlite+aiosqlite:///` keeps aiosqlite); the inbound benchmark sets it to compare the two.
INLINE_SQLITE: bool | None = None


class Database:
    def __init__(self, url: str, *, inline: bool | None = None) -> None:
        """`inline`: a SQLite file is driven by models/inline.py (statements run in the event
        loop's greenlet, lock waits awaited: ~4× cheaper per statement, issue 14) or, False,
        by aiosqlite (a thread hop per statement). None: INLINE_SQLITE, else the URL."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        inline = INLINE_SQLITE if inline is None else inline
        self.engine: AsyncEngine = _make_engine(sqlite_url(url, inline))
        self.inline = self.engine.dialect.driver == DRIVER
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Read-only work (is anything due?) must not queue behind or block the one SQLite
        # writer: its transactions begin DEFERRED instead of IMMEDIATE (see _on_begin).
        self._readers = async_sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                           expire_on_commit=False)
        # Work that is one statement (the outbox sender's claims, marks and due reads) needs
        # no BEGIN and COMMIT around it: the statement is its own transaction (see single()).
        alone = ({ONE_STATEMENT: True} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"})
        self._single = async_sessionmaker(self.engine.execution_options(**alone),
                                          expire_on_commit=False)

    def session(self) -> AsyncSession:
        return self.sessions()

    def reading(self) -> AsyncSession:
        """A session for reads only: on SQLite it takes no write lock."""
        return self._readers()

    @asynccontextmanager
    async def single(self) -> AsyncIterator[AsyncSession]:
        """A session in which every statement commits on its own (autocommit): for work that is
        one statement, it saves the BEGIN and COMMIT round trips (issue 14: ≤ 3 statements per
        sent outbox row). An UPDATE alone takes SQLite's write lock when it starts, as BEGIN
        IMMEDIATE would, and only for itself; a SELECT alone takes none. Never for work of
        several statements that must commit together.

        On the inline driver the session is closed directly: SQLAlchemy's `async with` closes
        in a task of its own so a cancellation cannot cut the close short, which costs three
        turns of the event loop per use (measured); a close that never suspends cannot be cut
        short, and the sender's read before a reply no longer lets the loop run other work."""
        if not self.inline:
            async with self._single() as session:
                yield session
            return
        session = self._single()
        try:
            yield session
        finally:
            await session.close()

    async def create_schema(self) -> None:
        """Create missing tables (a fresh install needs no migration step)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _make_engine(url: str) -> AsyncEngine:
    # hide_parameters: SQL logging and database errors must never carry a parent's message
    # (mailbox letters, relayed #私信) into the logs; they show the statement only.
    if not url.startswith("sqlite"):
        server = create_async_engine(url, hide_parameters=True)
        _ping_when_idle(server.sync_engine)
        return server
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
    inline = engine.dialect.driver == DRIVER

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below); WAL lets readers run beside the one writer.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # The inline driver waits for another process's lock itself, without blocking the loop.
        busy = "busy_timeout=0" if inline else "busy_timeout=30000"
        for pragma in ("journal_mode=WAL", busy, "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: no SQLITE_BUSY on a read→write upgrade when
        # two processes (or the outbox sender and a handler) write at once.
        options = conn.get_execution_options()
        if options.get(ONE_STATEMENT, False):
            return  # Database.single(): each statement is its own transaction
        begin = "BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE"
        if inline:  # straight to the cursor: every incoming message's transaction starts here
            conn.dialect.execute_direct(conn, begin)
        else:
            conn.exec_driver_sql(begin)

    return engine


# A pooled connection back in use within this many seconds is not pinged (_ping_when_idle).
IDLE_BEFORE_PING = 5.0
_CHECKED_IN = "classbot_checked_in"  # connection record info: when it went back to the pool


def _ping_when_idle(engine: Engine) -> None:
    """Check that a database server's connection is alive before using it again — but only
    when it has lain in the pool for a while. SQLAlchemy's `pool_pre_ping` pings on every
    checkout: a round trip for every unit of work and every outbox mark, a fifth of all
    round trips in a 收到 flood on PostgreSQL (issue 14). A server restart or an idle timeout
    kills connections that lie idle; one used a moment ago is as alive as a ping would show
    (and a server dying mid-use fails the work either way). A dead one is replaced by a new
    connection before anyone uses it, as with pre-ping."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING:
            return  # new (just connected) or back in use at once
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("connection found dead after lying idle") from exc
        if not alive:
            raise DisconnectionError("connection found dead after lying idle")
