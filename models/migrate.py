"""Schema migrations (Alembic, scripts in models/migrations/versions): where a database is,
and bringing it to head.

Three kinds of database meet this code:
- empty: the tables are created from the models and stamped at head (what the migrations
  would build; tests/test_migrations.py proves models and migrations agree);
- created by the first release, before migrations existed (tables, no alembic_version): it is
  stamped at the baseline, which is exactly that schema, then upgraded; one created by a later
  release before migrations (it has meeting tables) is completed to revision 0002 in place,
  stamped there, then upgraded;
- migrated before: upgraded from its revision.
A new revision is one command (README "Database migrations"): `classbot db revision -m "…"`
writes it by comparing a head database with the models.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url

from models.base import Base
from models.db import Database
from models.inline import DRIVER

SCRIPTS = Path(__file__).with_name("migrations")
BASELINE = "0001_first_release"
# A table every classbot schema has had since the first release.
_MARKER_TABLE = "outbox"


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` did: `before` None means the database had no tables; `backup` is the
    SQLite copy taken before an upgrade changed anything."""

    before: str | None
    after: str
    backup: Path | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:  # two helpers' revisions on one parent: merge them (alembic merge)
        raise RuntimeError(f"migrations have {len(heads)} heads: {', '.join(sorted(heads))}")
    return heads[0]


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _has_tables(connection: Connection) -> bool:
    return inspect(connection).has_table(_MARKER_TABLE)


def _upgrade(connection: Connection, from_models: bool = True) -> Upgrade:
    """`from_models`: an empty database gets the models' tables stamped at head (fast, the same
    schema); False runs every migration from the baseline (what `new_revision` compares)."""
    config = alembic_config(connection)
    before = _current(connection)
    if before == head():
        return Upgrade(before, before)
    if before is None:
        if not _has_tables(connection) and not from_models:
            command.upgrade(config, "head")
            return Upgrade(None, head())
        if not _has_tables(connection):
            Base.metadata.create_all(connection)
            command.stamp(config, "head")
            return Upgrade(None, head())
        before = _stamp_unmigrated(connection, config)
    command.upgrade(config, "head")
    return Upgrade(before, _current(connection) or BASELINE)


# Tables that came after the first release and before migrations existed (revision 0002): a
# database built by one of those releases has some of them (create_all, no alembic_version).
_BEFORE_MIGRATIONS = ("class_update_items", "mailbox_tickets", "meetings", "pending_questions",
                      "school_roles", "mailbox_entries", "meeting_checkins", "meeting_rsvps")


def _stamp_unmigrated(connection: Connection, config: AlembicConfig) -> str:
    """A database with tables and no alembic_version. The first release's schema is the
    baseline. A later release before migrations (it has `meetings`) is brought to 0002's schema
    in place — the tables it lacked created, `parts_sent` added, the short-lived
    `conversations` table dropped — and stamped there, so 0002 never re-creates a table."""
    inspector = inspect(connection)
    if not inspector.has_table("meetings"):
        command.stamp(config, BASELINE)
        return BASELINE
    missing = [Base.metadata.tables[name] for name in _BEFORE_MIGRATIONS
               if not inspector.has_table(name)]
    Base.metadata.create_all(connection, tables=missing)
    if "parts_sent" not in {c["name"] for c in inspector.get_columns("outbox")}:
        connection.exec_driver_sql(
            "ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0")
    connection.exec_driver_sql("DROP TABLE IF EXISTS conversations")
    command.stamp(config, _AFTER_UNMIGRATED)
    return _AFTER_UNMIGRATED


_AFTER_UNMIGRATED = "0002_mailbox_meetings"


async def upgrade(db: Database) -> Upgrade:
    """Bring the database to head. A SQLite file that has tables and is behind is copied first
    (`VACUUM INTO` beside it, `<name>.before-<head>.bak`), so a failed upgrade loses nothing."""
    backup = None
    revision, has_tables = await current(db)
    if db.is_sqlite and has_tables and revision != head():
        backup = await _backup_sqlite(db)
    async with db.engine.begin() as conn:
        done = await conn.run_sync(_upgrade)
    return Upgrade(done.before, done.after, backup)


def _free_name(stem: Path) -> Path:
    target, number = stem.with_name(stem.name + ".bak"), 1
    while target.exists():
        number += 1
        target = stem.with_name(f"{stem.name}.{number}.bak")
    return target


async def _backup_sqlite(db: Database) -> Path | None:
    database = make_url(db.url).database
    if not database or database == ":memory:":
        return None
    target = await asyncio.to_thread(_free_name, Path(f"{database}.before-{head()}"))
    async with db.engine.connect() as conn:
        # VACUUM cannot run inside a transaction; the driver-level connection runs it alone.
        raw = await conn.get_raw_connection()
        vacuum = functools.partial(raw.driver_connection.execute, "VACUUM INTO ?", (str(target),))
        if conn.dialect.driver == DRIVER:  # plain sqlite3 (models/inline.py): copying a big
            await asyncio.to_thread(vacuum)  # file must not hold up the loop
        else:
            await vacuum()  # aiosqlite: already on its own thread
    return target


def _state(connection: Connection) -> tuple[str | None, bool]:
    return _current(connection), _has_tables(connection)


async def current(db: Database) -> tuple[str | None, bool]:
    """(revision, has tables): (None, True) is a first-release database never migrated."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_state)


def _revision(connection: Connection, message: str) -> Any:
    return command.revision(alembic_config(connection), message=message, autogenerate=True,
                            rev_id=None)


async def new_revision(db: Database, message: str) -> Any:
    """Write a revision for what the models have and the database (at head) lacks."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, False)
        return await conn.run_sync(_revision, message)
