"""The Friday burst (issue 14): every class's weekly update compiled together, written in bulk.

The classes of tests/weekly_world.py vary in everything a digest reads, so a batch that mixed
one class's rows into another's, or a set-based read that differed from reading one class at
a time, shows here as a different text, a different digest, or different rows written.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from core.clock import SimulatedClock
from core.config import Config
from core.render import Renderer
from handlers import command_table
from handlers.weekly import post
from models import ClassUpdateItem, Database, OutboxMessage, ScheduledJob, SchoolClass
from scheduler.runner import DueWorkRunner
from services import jobs, weekly
from services.uow import UnitOfWork
from services.weekly import WEEKLY_JOB
from tests.database import on_postgres, url_for
from tests.test_statements import statements_of
from tests.weekly_world import SLOT, seed, summary

PINNED = Path(__file__).parent / "data" / "weekly_digests.json"


def config_for(url: str, **overrides: Any) -> Config:
    return Config.model_validate({"database_url": url, **overrides})


async def world(tmp_path: Path, name: str, classes: int) -> str:
    url = url_for(tmp_path / name)
    await seed(url, classes)
    return url


def rendered(digest: weekly.Digest) -> dict[str, Any]:
    tz = digest.school_class.timezone
    return {"summary": summary(digest),
            **{lang: Renderer(lang).render("weekly/update", digest=digest, tz=tz)
               for lang in ("zh_CN", "en")}}


async def test_digests_compiled_together_are_the_pinned_ones(tmp_path: Path) -> None:
    """The pins were written by the one-class-at-a-time code this replaced (commit bc99be6):
    forty classes compiled in one batch, and each alone, give exactly those digests."""
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    async with forty_classes(tmp_path) as (uow, classes):
        together = await weekly.compile_digests(uow, classes)
        assert {c.name: rendered(together[c.id]) for c in classes} == pinned
        for school_class in classes[:12]:
            alone = await weekly.compile_digest(uow, school_class)
            assert rendered(alone) == pinned[school_class.name], school_class.name


@asynccontextmanager
async def forty_classes(tmp_path: Path) -> AsyncIterator[tuple[UnitOfWork, list[SchoolClass]]]:
    """The pinned world's forty varied classes, in a unit of work at the Friday slot."""
    url = await world(tmp_path, "w.db", 40)
    db = Database(url)
    try:
        async with UnitOfWork(db, SimulatedClock(SLOT), config_for(url)) as uow:
            yield uow, list((await uow.session.scalars(
                select(SchoolClass).order_by(SchoolClass.id))).all())
    finally:
        await db.dispose()


HEADINGS = ("✏️", "📢", "📅", "🔔", "📝", "🕒", "📊")


async def test_each_item_and_heading_of_a_digest_is_a_line_of_its_own(tmp_path: Path) -> None:
    """What a parent reads: a sign-up's line ended glued to the next
    (「…17:00 截止📊 进行中的投票」, 「…截止• 接龙 #2…」) and polls were set a blank line apart.
    Forty varied classes, both languages: every bullet and heading starts a line, and no line
    is empty."""
    async with forty_classes(tmp_path) as (uow, classes):
        digests = await weekly.compile_digests(uow, classes)
    texts = [body for d in digests.values() for lang, body in rendered(d).items()
             if lang != "summary"]
    assert any("接龙 #" in t for t in texts) and any("Poll #" in t for t in texts)
    for body in texts:
        lines = body.split("\n")
        assert "" not in lines, body
        for line in lines[1:]:
            for mark in ("•", *HEADINGS):
                assert mark not in line[1:], f"{mark!r} inside a line: {line}"


async def run(url: str, config: Config, at: Any, handlers: dict[str, Any] | None = None,
              renderer: Renderer | None = None, seen: list[str] | None = None) -> None:
    """Run every job due at `at`, as the bot's runner does (its statements into `seen`)."""
    db = Database(url)
    runner = DueWorkRunner(db, SimulatedClock(at), config, renderer or Renderer("zh_CN"),
                           handlers or command_table().jobs, "test")
    try:
        with statements_of(db.engine.sync_engine) as statements:
            await runner.run_due()
        if seen is not None:
            seen += statements
    finally:
        await db.dispose()


async def state(url: str) -> dict[str, Any]:
    """The outbox, the jobs and the items, ids left out."""
    db = Database(url)
    try:
        async with db.session() as session:
            outbox = sorted((m.dedupe_key, m.chat_id, m.class_id, m.kind, m.text, m.not_before,
                             m.key_base, m.status) for m in (await session.scalars(
                                 select(OutboxMessage))).all())
            due = sorted((j.dedupe_key, j.class_id, j.due_at, j.status,
                          (j.last_error or "")[:40]) for j in (await session.scalars(
                              select(ScheduledJob))).all())
            items = sorted((i.id, i.posted_at) for i in (await session.scalars(
                select(ClassUpdateItem))).all())
        return {"outbox": outbox, "jobs": due, "items": items}
    finally:
        await db.dispose()


async def outcome(url: str, config: Config, at: Any, handlers: dict[str, Any] | None = None,
                  renderer: Renderer | None = None) -> dict[str, Any]:
    await run(url, config, at, handlers, renderer)
    return await state(url)


@pytest.mark.parametrize(("late", "settings"), [
    (timedelta(0), {}),
    (timedelta(hours=5, minutes=5), {}),  # 22:05 in Shanghai: held until the morning
    (timedelta(0), {"empty_week": "short"}),
    (timedelta(days=7, hours=1), {}),  # a week late: dropped, next week scheduled
])
async def test_the_burst_writes_what_one_job_at_a_time_wrote(
        tmp_path: Path, late: timedelta, settings: dict[str, Any]) -> None:
    """Sixty classes (two claims: fifty, then ten) through the batch, and through the
    per-job handler alone: the same outbox rows, jobs and posted items."""
    batch_url, alone_url = (await world(tmp_path, "b.db", 60), await world(tmp_path, "a.db", 60))
    one_by_one = {**command_table().jobs, WEEKLY_JOB: post}
    together = await outcome(batch_url, config_for(batch_url, weekly_update=settings),
                             SLOT + late)
    alone = await outcome(alone_url, config_for(alone_url, weekly_update=settings), SLOT + late,
                          one_by_one)
    assert together == alone
    assert all(status == "done" for _, _, _, status, _ in together["jobs"]
               if status != "pending")
    if late == timedelta(days=7, hours=1):
        assert together["outbox"] == []
    else:
        # Every bound class with something to say (or every bound one, for a short line).
        assert len({c for _, _, c, *_ in together["outbox"]}) >= 30


async def test_disabled_weekly_updates_post_and_schedule_nothing_more(tmp_path: Path) -> None:
    url = await world(tmp_path, "d.db", 12)
    done = await outcome(url, config_for(url, weekly_update={"enabled": False}), SLOT)
    alone_url = await world(tmp_path, "d1.db", 12)
    alone = await outcome(alone_url, config_for(alone_url, weekly_update={"enabled": False}),
                          SLOT, {**command_table().jobs, WEEKLY_JOB: post})
    assert done == alone
    assert len(done["jobs"]) == 12, "no next slot while updates are off"


class FailingFor(Renderer):
    """Renders as usual, except the weekly update of one class (a template error there)."""

    def __init__(self, class_name: str) -> None:
        super().__init__("zh_CN")
        self.class_name = class_name

    def render(self, template: str, /, **values: Any) -> str:
        digest = values.get("digest")
        if template == "weekly/update" and digest.school_class.name == self.class_name:
            raise RuntimeError("template broke")
        return super().render(template, **values)


def failed_alone(result: dict[str, Any], class_id: int) -> None:
    """The class's job failed and nothing of its work was written; the others' was."""
    [mine] = [j for j in result["jobs"] if j[0] == f"weekly:{class_id}:2026-11-30"]
    assert mine[3] == "failed", mine
    assert not [j for j in result["jobs"] if j[1] == class_id and j[3] == "pending"], \
        "its next slot was rolled back with it"
    assert not [m for m in result["outbox"] if m[2] == class_id]
    others = [j for j in result["jobs"] if j[3] != "pending" and j[1] != class_id]
    assert others and all(j[3] == "done" for j in others)
    assert len([j for j in result["jobs"] if j[3] == "pending"]) >= 15, "theirs were written"
    assert len({m[2] for m in result["outbox"]}) >= 15


async def test_a_class_whose_update_cannot_be_made_fails_alone(tmp_path: Path) -> None:
    url = await world(tmp_path, "f.db", 24)
    seen: list[str] = []
    await run(url, config_for(url), SLOT, renderer=FailingFor("班级005"), seen=seen)
    result = await state(url)
    failed_alone(result, 5)
    assert seen.count("COMMIT") == 2, "the claim, then the batch: not a transaction per job"
    assert "template broke" in next(j[4] for j in result["jobs"] if j[1] == 5 and j[3])
    db = Database(url)
    try:
        async with db.session() as session:
            assert (await session.scalar(select(ClassUpdateItem.id).where(
                ClassUpdateItem.class_id == 5, ClassUpdateItem.posted_at == SLOT))) is None
            assert (await session.scalar(select(ClassUpdateItem.id).where(
                ClassUpdateItem.class_id == 6, ClassUpdateItem.posted_at == SLOT))) is not None
    finally:
        await db.dispose()


REFUSE_SQLITE = """CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.chat_id = 'g7'
BEGIN SELECT RAISE(ABORT, 'refused'); END"""
REFUSE_POSTGRES = ("""CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN
IF NEW.chat_id = 'g7' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$
LANGUAGE plpgsql""", """CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW
EXECUTE FUNCTION refuse()""")


async def test_a_class_the_database_refuses_is_rolled_back_alone(tmp_path: Path) -> None:
    """The rows of a batch go in together; when the database refuses one class's row, that
    class is rolled back to its savepoint and marked failed, and the others are written."""
    url = await world(tmp_path, "r.db", 24)
    db = Database(url)
    async with db.session() as session, session.begin():
        for statement in REFUSE_POSTGRES if on_postgres() else (REFUSE_SQLITE,):
            await session.execute(text(statement))
    await db.dispose()
    seen: list[str] = []
    await run(url, config_for(url), SLOT, seen=seen)
    failed_alone(await state(url), 7)
    assert seen.count("COMMIT") == 2, "the claim, then the batch: not a transaction per job"
    assert sum(s.startswith("SAVEPOINT") for s in seen) > 20, "a savepoint per class"


async def statements_for(tmp_path: Path, classes: int) -> int:
    url = await world(tmp_path, f"s{classes}.db", classes)
    seen: list[str] = []
    await run(url, config_for(url), SLOT, seen=seen)
    assert all(j[3] in ("done", "pending") for j in (await state(url))["jobs"])
    return len(seen)


async def test_the_burst_costs_statements_per_claim_not_per_class(tmp_path: Path) -> None:
    """A claim takes up to fifty due jobs (a hundred on PostgreSQL, services/jobs.py); their
    classes cost a fixed number of statements together (one read per kind of thing, one
    multi-row write per table), not two dozen each as before (the one-job-at-a-time runner:
    499 statements for these 20 classes, 1,408 for 60). Now 34 and 65 (34 and 34 on
    PostgreSQL): per claim 5 to claim (a look in a read-only transaction, then BEGIN,
    UPDATE … RETURNING, COMMIT); BEGIN, 16 reads and 3 of names (voters; people whose child
    left the roster), a savepoint round 3 writes, the jobs done, COMMIT; and the last look
    (2), which finds nothing due."""
    twenty, sixty = (await statements_for(tmp_path, 20), await statements_for(tmp_path, 60))
    per_claim, last_look = 32, 2
    assert twenty <= 1 * per_claim + last_look, twenty
    if on_postgres():
        assert sixty <= 1 * per_claim + last_look, sixty  # all sixty in one claim
    else:
        assert 1 * per_claim + last_look < sixty <= 2 * per_claim + last_look, sixty  # 50 + 10
    assert sixty / 60 < twenty / 20 < 2


async def test_a_claim_takes_at_most_its_limit(tmp_path: Path) -> None:
    """The batch is the claim: on PostgreSQL the claim once took every due row at once."""
    url = await world(tmp_path, "c.db", 12)
    db = Database(url)
    try:
        first = await jobs.claim_due(db, SLOT, "test", limit=5)
        second = await jobs.claim_due(db, SLOT, "test", limit=5)
        assert len(first) == 5 and len(second) == 5
        assert not {j.id for j in first} & {j.id for j in second}
        assert len(await jobs.claim_due(db, SLOT, "test", limit=5)) == 2
    finally:
        await db.dispose()
