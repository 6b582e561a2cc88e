"""Weekly updates at scale: 1,000 classes × 40 families compiled, rendered and queued.

Why: every class's update falls due in the same minute (Friday 17:00 by default), so a district
instance must compile them all in one burst. This times exactly that burst — the due-work runner
claiming the 1,000 weekly rows, compiling each digest (items, the week's notices with read
rates, upcoming meetings with RSVP counts, an open sign-up, slot board and poll with their
counts), rendering the template and writing the outbox rows — and counts its SQL statements
and records peak memory. On PostgreSQL when CLASSBOT_TEST_DATABASE_URL names a server
(`source .ci/postgres.sh && pg_start`), as the tests do; SQLite files otherwise. Seeding the
database (bulk inserts) is not timed. Sending is not timed either: delivery pacing is the
channel's rate limit, measured in the channel benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/weekly.py`

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Engine

from core.clock import SimulatedClock
from core.config import Config
from core.render import Renderer
from handlers import command_table
from models import (
    ClassMembership,
    ClassUpdateItem,
    Database,
    GroupBinding,
    Meeting,
    MeetingRsvp,
    Notice,
    NoticeAck,
    OutboxMessage,
    Person,
    Poll,
    PollVote,
    ScheduledJob,
    SchoolClass,
    SignupEntry,
    SignupList,
    Slot,
    SlotBoard,
    SlotBooking,
    Student,
)
from scheduler.runner import DueWorkRunner
from tests import database
from tests.weekly_world import MONDAY, SLOT  # the same Friday slot as the burst's tests


def rows(classes: int, families: int) -> dict[Any, list[dict[str, Any]]]:
    """Everything a busy week leaves behind, as plain rows for bulk inserts."""
    data: dict[Any, list[dict[str, Any]]] = {t: [] for t in (
        SchoolClass, Person, Student, ClassMembership, GroupBinding, Notice, NoticeAck, Meeting,
        MeetingRsvp, ClassUpdateItem, SignupList, SignupEntry, SlotBoard, Slot, SlotBooking, Poll,
        PollVote, ScheduledJob)}
    person_id = student_id = notice_id = 0
    for c in range(1, classes + 1):
        data[SchoolClass].append({"id": c, "name": f"班级{c:04d}", "timezone": "Asia/Shanghai",
                                  "created_at": MONDAY})
        person_id += 1
        teacher = person_id
        data[Person].append({"id": teacher, "display_name": f"老师{c}", "created_at": MONDAY})
        data[ClassMembership].append({"class_id": c, "person_id": teacher, "role": "head_teacher",
                                      "created_at": MONDAY})
        data[GroupBinding].append({"class_id": c, "channel": "memory", "chat_id": f"g{c}",
                                   "title": f"班级{c:04d}家长群", "bound_at": MONDAY})
        family_ids = []
        for f in range(families):
            person_id += 1
            student_id += 1
            family_ids.append((student_id, person_id))
            data[Student].append({"id": student_id, "class_id": c, "name": f"学生{f}",
                                  "on_roster": True})
            data[Person].append({"id": person_id, "display_name": f"学生{f}妈妈",
                                 "created_at": MONDAY})
            data[ClassMembership].append({"class_id": c, "person_id": person_id,
                                          "role": "parent", "student_id": student_id,
                                          "relation": "妈妈", "created_at": MONDAY})
        for n in (1, 2):
            notice_id += 1
            data[Notice].append({"id": notice_id, "class_id": c, "number": n,
                                 "title": f"本周通知{n}", "body": "请按时到校。", "urgent": False,
                                 "author_id": teacher, "created_at": MONDAY,
                                 "publish_at": MONDAY + timedelta(days=n)})
            for sid, pid in family_ids[: families * 3 // 4]:
                data[NoticeAck].append({"notice_id": notice_id, "student_id": sid,
                                        "person_id": pid, "via": "word",
                                        "acked_at": MONDAY + timedelta(days=n, hours=1)})
        data[Meeting].append({"id": c, "class_id": c, "number": 1, "kind": "家长会",
                              "topic": "期末安排", "place": "三楼会议室",
                              "starts_at": SLOT + timedelta(days=7),
                              "ends_at": SLOT + timedelta(days=7, hours=2), "status": "open",
                              "version": 1, "author_id": teacher, "created_at": MONDAY})
        for i, (sid, pid) in enumerate(family_ids[: families // 2]):
            data[MeetingRsvp].append({"meeting_id": c, "student_id": sid, "person_id": pid,
                                      "answer": ("yes", "no", "maybe")[i % 3],
                                      "heads": 1 + i % 2, "reason": "",
                                      "answered_at": MONDAY})
        for i in range(3):
            data[ClassUpdateItem].append({"class_id": c, "author_id": teacher,
                                          "text": f"本周第{i + 1}件事：完成了单元测验",
                                          "created_at": MONDAY})
        others(data, c, teacher, family_ids)
        data[ScheduledJob].append({"dedupe_key": f"weekly:{c}:2026-11-30",
                                   "kind": "weekly_update", "ref_id": c, "class_id": c,
                                   "due_at": SLOT, "status": "pending", "payload": {}})
    return data


def others(data: dict[Any, list[dict[str, Any]]], c: int, teacher: int,
           family_ids: list[tuple[int, int]]) -> None:
    """An open sign-up (half the families joined), slot board (3 slots ahead, a booking each)
    and named poll (half the families voted): one of each kind the digest counts. Ids follow
    the class number (one of each per class)."""
    data[SignupList].append({"id": c, "class_id": c, "number": 1, "title": "周六志愿者",
                             "capacity": 10, "status": "open", "author_id": teacher,
                             "created_at": MONDAY})
    data[SlotBoard].append({"id": c, "class_id": c, "number": 1, "title": "家访预约",
                            "place": "家中", "per_family": 1, "status": "open",
                            "author_id": teacher, "created_at": MONDAY})
    data[Poll].append({"id": c, "class_id": c, "number": 1, "question": "春游去哪里",
                       "options": ["植物园", "动物园"], "anonymous": False, "per_person": False,
                       "publish_results": False, "salt": "00", "status": "open",
                       "author_id": teacher, "created_at": MONDAY})
    for k in range(3):
        starts = SLOT + timedelta(days=2, hours=k)
        data[Slot].append({"id": 3 * c + k, "board_id": c, "starts_at": starts,
                           "ends_at": starts + timedelta(minutes=30), "capacity": 2})
    for i, (sid, pid) in enumerate(family_ids[: len(family_ids) // 2]):
        data[SignupEntry].append({"list_id": c, "student_id": sid, "person_id": pid,
                                  "heads": 1 + i % 2, "note": "", "via": "word",
                                  "joined_at": MONDAY + timedelta(minutes=i)})
        data[PollVote].append({"poll_id": c, "voter_key": f"s:{sid}", "option": i % 2,
                               "person_id": pid, "student_id": sid,
                               "voted_at": MONDAY + timedelta(minutes=i)})
    for k, (sid, pid) in enumerate(family_ids[:3]):
        data[SlotBooking].append({"board_id": c, "slot_id": 3 * c + k, "student_id": sid,
                                  "person_id": pid, "seat": 1, "turn": 1,
                                  "booked_at": MONDAY})


async def seed(url: str, classes: int, families: int) -> None:
    db = Database(url)
    await db.create_schema()
    async with db.session() as session, session.begin():
        for table, batch in rows(classes, families).items():
            for start in range(0, len(batch), 5000):
                await session.execute(insert(table), batch[start:start + 5000])
    async with db.engine.connect() as conn:
        # Statistics, as a live database has them (autovacuum): without them PostgreSQL plans
        # the burst's joins for empty tables. SQLite plans from its indexes alone.
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    await db.dispose()


async def burst(url: str) -> tuple[float, float, int, int, int]:
    """Run every due weekly job; returns seconds, this process's CPU seconds (the figure a
    busy machine changes least), jobs run, outbox rows written and the SQL statements the
    burst ran (BEGIN and COMMIT included)."""
    config = Config.model_validate({"database_url": url})
    db = Database(config.database_url)
    clock = SimulatedClock(SLOT)
    runner = DueWorkRunner(db, clock, config, Renderer(config.language),
                           command_table().jobs, "bench")
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(Engine, "before_cursor_execute", count)
    event.listen(Engine, "begin", count)  # SQLite's BEGIN is also a cursor statement: twice
    event.listen(Engine, "commit", count)
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        ran = await runner.run_due()
    finally:
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        event.remove(Engine, "before_cursor_execute", count)
        event.remove(Engine, "begin", count)
        event.remove(Engine, "commit", count)
    async with db.session() as session:
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    await db.dispose()
    return seconds, cpu, ran, queued, statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--families", type=int, default=40)
    args = parser.parse_args()
    postgres = database.on_postgres()
    mark = database.created_count()
    with tempfile.TemporaryDirectory(prefix="classbot-weekly-") as tmp:
        timed, traced = Path(tmp) / "timed.db", Path(tmp) / "traced.db"
        t0 = time.perf_counter()
        asyncio.run(seed(database.url_for(timed), args.classes, args.families))
        seeding = time.perf_counter() - t0
        if postgres:
            database.copy(timed, traced)
        else:
            shutil.copy(timed, traced)
        load = os.getloadavg()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, cpu, ran, queued, statements = asyncio.run(burst(database.url_for(timed)))
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        asyncio.run(burst(database.url_for(traced)))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if postgres:
        database.drop_created_since(mark)
    assert ran >= args.classes and queued == args.classes, (ran, queued)
    print(f"classes × families   {args.classes} × {args.families}")
    kind = "postgresql" if postgres else f"sqlite {sqlite3.sqlite_version}"
    print(f"database             {kind}")
    print(f"load average before  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"seeding (untimed)    {seeding:.1f} s")
    print(f"updates queued       {queued}")
    print(f"seconds              {seconds:.2f}")
    print(f"per class            {seconds / args.classes * 1000:.1f} ms")
    print(f"CPU (this process)   {cpu:.2f} s (the server's not included)")
    print(f"statements           {statements} ({statements / args.classes:.2f} per class)")
    print(f"peak RSS (process)   {rss_after / 1024:.0f} MiB "
          f"(before the burst {rss_before / 1024:.0f} MiB)")
    print(f"peak traced (burst)  {peak / 2**20:.1f} MiB (tracemalloc, second run)")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
