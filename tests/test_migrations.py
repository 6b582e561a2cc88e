"""Migrations: a database made by the first release is upgraded with its data, and the
migrations build exactly what the models declare.

Runs on the database the suite runs on (SQLite, or PostgreSQL under CLASSBOT_TEST_DATABASE_URL:
.ci/suite.sh runs both). The first release's schema is kept as SQL (tests/data/first_release_*),
dumped from the models of commit baf5271.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from models import Base, Database
from models.migrate import BASELINE, _upgrade, alembic_config, current, head, upgrade
from tests.database import on_postgres
from tests.harness import CLASS, Harness, make_config

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
T0 = "2026-11-30 01:00:00"

FIRST_RELEASE_ROWS = [
    f"INSERT INTO classes (id, name, timezone, created_at) "
    f"VALUES (1, '{CLASS}', 'Asia/Shanghai', '{T0}')",
    *[f"INSERT INTO people (id, display_name, created_at) VALUES ({i}, '{n}', '{T0}')"
      for i, n in ((1, "王老师"), (2, "李明妈妈"), (3, "张华爸爸"))],
    *[f"INSERT INTO identities (id, channel, external_id, display_name, person_id, private_chat_id,"
      f" private_reachable) VALUES ({i}, 'memory', '{n}', '{n}', {i}, '{n}', true)"
      for i, n in ((1, "王老师"), (2, "李明妈妈"), (3, "张华爸爸"))],
    f"INSERT INTO group_bindings (id, class_id, channel, chat_id, title, bound_at) "
    f"VALUES (1, 1, 'memory', '{CLASS}', '{CLASS}', '{T0}')",
    *[f"INSERT INTO students (id, class_id, name, on_roster) VALUES ({i}, 1, '{n}', true)"
      for i, n in ((1, "李明"), (2, "张华"), (3, "赵雪"))],
    f"INSERT INTO memberships (id, class_id, person_id, role, committee, active, created_at) "
    f"VALUES (1, 1, 1, 'head_teacher', false, true, '{T0}')",
    *[f"INSERT INTO memberships (id, class_id, person_id, role, student_id, relation, committee,"
      f" active, created_at) VALUES ({i}, 1, {i}, 'parent', {i - 1}, '{r}', false, true, '{T0}')"
      for i, r in ((2, "妈妈"), (3, "爸爸"))],
    f"INSERT INTO notices (id, class_id, number, title, body, urgent, author_id, created_at,"
    f" publish_at) VALUES (1, 1, 1, '周五春游', '请带好水和帽子', false, 1, '{T0}', '{T0}')",
    f"INSERT INTO notice_acks (id, notice_id, student_id, person_id, via, acked_at) "
    f"VALUES (1, 1, 1, 2, 'text', '{T0}')",
    "INSERT INTO outbox (id, dedupe_key, channel, chat_id, chat_kind, chat_title, text, mentions,"
    " buttons, kind, urgent, class_id, status, not_before, attempts, created_at, sent_at) VALUES"
    f" (1, 'notice:1:group', 'memory', '{CLASS}', 'group', '{CLASS}', '【通知 #1】周五春游',"
    f" '[]', '[]', 'notice', false, 1, 'sent', '{T0}', 1, '{T0}', '{T0}')",
    "INSERT INTO scheduled_jobs (id, dedupe_key, kind, ref_id, class_id, due_at, status, payload)"
    f" VALUES (1, 'nudge:1:1', 'notice_nudge', 1, 1, '{T0}', 'done', '{{}}')",
    "INSERT INTO inbound_messages (id, channel, chat_id, message_id, received_at) VALUES"
    f" (1, 'memory', '{CLASS}', 'm-1', '{T0}')",
]


def _statements(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text(encoding="utf-8").split(";\n") if s.strip()]


async def first_release_database(db_path: Path) -> Database:
    """A database exactly as the first release left it: its schema, a bound class, two families
    registered, a notice with one 收到, its sent outbox row, a finished job; no alembic_version."""
    db = Database(make_config(db_path).database_url)
    dialect = "postgresql" if on_postgres() else "sqlite"
    async with db.engine.begin() as conn:
        for statement in [*_statements(DATA / f"first_release_{dialect}.sql"),
                          *FIRST_RELEASE_ROWS]:
            await conn.execute(text(statement))
        if on_postgres():  # the rows above gave their ids; the sequences must follow
            for table in ("classes", "people", "identities", "group_bindings", "students",
                          "memberships", "notices", "notice_acks", "outbox", "scheduled_jobs",
                          "inbound_messages"):
                await conn.execute(text(f"SELECT setval('{table}_id_seq', "
                                        f"(SELECT max(id) FROM {table}))"))
    return db


async def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


async def test_a_first_release_database_is_upgraded_with_its_data(db_path: Path) -> None:
    db = await first_release_database(db_path)
    assert await current(db) == (None, True)
    done = await upgrade(db)
    assert (done.before, done.after) == (BASELINE, head())
    assert await current(db) == (head(), True)
    assert await rows(db, "SELECT id, parts_sent, status FROM outbox") == [(1, 0, "sent")]
    assert await rows(db, "SELECT display_name FROM people ORDER BY id") == [
        ("王老师",), ("李明妈妈",), ("张华爸爸",)]
    assert await rows(db, "SELECT count(*) FROM mailbox_tickets") == [(0,)]
    if on_postgres():
        assert done.backup is None
    else:  # SQLite: the copy taken before is the first release's database, complete
        assert done.backup is not None and done.backup.exists()
        copy = Database(f"sqlite:///{done.backup}")
        assert await current(copy) == (None, True)
        assert await rows(copy, "SELECT count(*) FROM notice_acks") == [(1,)]
        await copy.dispose()
    assert (await upgrade(db)).changed is False  # a second run has nothing to do
    await db.dispose()

    # Today's bot works on it: the notice, its 收到 and the families are all still there.
    h = await Harness(make_config(db_path)).start()
    try:
        [unread] = await h.say("王老师", CLASS, "#未读")
        assert "1/3" in unread.text and "赵雪" in unread.text, unread.text
        [notice] = await h.say("王老师", CLASS, "#通知 下周一升旗\n穿校服")
        assert "#2" in notice.text
    finally:
        await h.stop()


async def test_a_database_of_a_release_between_the_first_and_migrations_is_upgraded(
        db_path: Path) -> None:
    """Releases after the first one, before migrations, built their tables with create_all: a
    first-release schema plus meetings, the mailbox … and, in some, `conversations` where
    `pending_questions` is now. Such a database is completed to 0002 and upgraded, its data
    kept, and never has 0002 create a table it already has."""
    db = await first_release_database(db_path)
    async with db.engine.begin() as conn:  # what such a release added by create_all
        await conn.run_sync(lambda c: Base.metadata.create_all(c, tables=[
            Base.metadata.tables[t] for t in ("meetings", "mailbox_tickets", "mailbox_entries")]))
        await conn.execute(text("ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL "
                                "DEFAULT 0"))
        await conn.execute(text("CREATE TABLE conversations (id INTEGER PRIMARY KEY)"))
    done = await upgrade(db)
    assert (done.before, done.after) == ("0002_mailbox_meetings", head())
    assert await rows(db, "SELECT id, parts_sent, status FROM outbox") == [(1, 0, "sent")]
    assert await rows(db, "SELECT count(*) FROM pending_questions") == [(0,)]
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
    await db.dispose()


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_the_migrations_build_what_the_models_declare(db_path: Path) -> None:
    """Autogenerate finds nothing between a database built by the migrations alone and the
    models: a model change without its revision fails here (`classbot db revision -m …`)."""
    db = Database(make_config(db_path).database_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, False)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
    await db.dispose()


def _baseline_vs(connection: Connection, other: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return compare_metadata(context, other)


async def test_the_baseline_is_the_first_release_schema(tmp_path: Path) -> None:
    first = await first_release_database(tmp_path / "first.db")
    reflected = MetaData()
    async with first.engine.connect() as conn:
        await conn.run_sync(reflected.reflect)
    await first.dispose()

    baseline = Database(make_config(tmp_path / "baseline.db").database_url)

    def to_baseline(connection: Connection) -> None:
        from alembic import command

        command.upgrade(alembic_config(connection), BASELINE)

    async with baseline.engine.begin() as conn:
        await conn.run_sync(to_baseline)
    async with baseline.engine.connect() as conn:
        diff = await conn.run_sync(_baseline_vs, reflected)
    await baseline.dispose()
    assert [d for d in diff if not (isinstance(d, tuple) and d[0] == "remove_table"
                                    and d[1].name == "alembic_version")] == []


def _cli(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "CLASSBOT_DATABASE_URL": url})


async def test_db_current_and_db_upgrade_commands(tmp_path: Path) -> None:
    db = await first_release_database(tmp_path / "cli.db")
    url = db.url
    await db.dispose()
    before = await asyncio.to_thread(_cli, tmp_path, url, "db", "current")
    assert before.returncode == 1 and "第一版" in before.stdout, before.stdout + before.stderr
    done = await asyncio.to_thread(_cli, tmp_path, url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"{BASELINE} → {head()}" in done.stdout
    assert ("副本" in done.stdout) != on_postgres()  # the SQLite copy is named
    after = await asyncio.to_thread(_cli, tmp_path, url, "db", "current")
    assert after.returncode == 0 and head() in after.stdout and "最新" in after.stdout
