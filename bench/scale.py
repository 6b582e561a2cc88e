"""Per-command cost as the district grows: a new 收到 and a teacher's #未读 at 10, 100 and
1,000 classes of 40 families (issue 14 goal: at most 1.2× from 10 to 1,000 classes).

Why: a cost that grows with the number of classes (a LIKE scan of the whole outbox, a query
without its index) is invisible in a one-class test and is what makes a district instance slow.
Each size is seeded by bulk insert like bench/weekly.py (classes, families, a posted notice card
per class with its sent outbox rows, identities for every parent), then the bot handles
messages one at a time from parents of ten of its classes: the first message in each of them
(nothing of that class cached yet) and then a few hundred more (warm, as in a running bot); the
medians are reported, with the ratio to the smallest size measured in the same run. Seeding
and the sender are not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/scale.py`

from sqlalchemy import insert

from bench.weekly import MONDAY, rows
from bot.app import ClassBot
from bot.channels.memory import MemoryChannel
from bot.channels.script import Say
from core.clock import SimulatedClock
from core.config import Config
from models import ClassMembership, Database, Identity, Notice, OutboxMessage, Person, migrate


def extra_rows(data: dict[Any, list[dict[str, Any]]]) -> dict[Any, list[dict[str, Any]]]:
    """Identities for every person, and each class's first notice posted as a card."""
    extra: dict[Any, list[dict[str, Any]]] = {Identity: [], OutboxMessage: []}
    for person in data[Person]:
        extra[Identity].append({"channel": "memory", "external_id": person["display_name"]
                                + str(person["id"]), "display_name": person["display_name"],
                                "person_id": person["id"], "private_reachable": False})
    for notice in data[Notice]:
        if notice["number"] != 2:
            continue
        c = notice["class_id"]
        extra[OutboxMessage].append({
            "dedupe_key": f"notice:{notice['id']}:post:{c}",
            "key_base": f"notice:{notice['id']}:post:",
            "channel": "memory", "chat_id": f"g{c}", "chat_kind": "group", "chat_title": "",
            "text": "card", "mentions": [], "buttons": [], "kind": "notice", "urgent": False,
            "class_id": c, "ref_kind": "notice", "ref_id": notice["id"], "status": "sent",
            "not_before": MONDAY, "attempts": 1, "parts_sent": 0,
            "sent_message_id": f"m{notice['id']}", "created_at": MONDAY})
    return extra


async def seed(path: Path, classes: int, families: int) -> list[tuple[str, str]]:
    """Returns (speaker, group) of every parent, for the timed messages."""
    data = rows(classes, families)
    data.update(extra_rows(data))
    db = Database(f"sqlite:///{path}")
    await migrate.upgrade(db)  # the tables stamped at head, so the bot's start migrates nothing
    async with db.session() as session, session.begin():
        for table, batch in data.items():
            for start in range(0, len(batch), 5000):
                await session.execute(insert(table), batch[start:start + 5000])
    await db.dispose()
    teachers = {m["person_id"] for m in data[ClassMembership] if m["role"] == "head_teacher"}
    class_of = {m["person_id"]: m["class_id"] for m in data[ClassMembership]}
    return [(i["external_id"], f"g{class_of[i['person_id']]}") for i in data[Identity]
            if i["person_id"] not in teachers]


SAMPLED = 10  # classes the timed messages come from, at every size


async def measure(classes: int, families: int, messages: int) -> tuple[float, float]:
    """Median seconds per new 收到: the first one in each of SAMPLED classes (the process has
    nothing of that class cached yet), then `messages` more from random parents of the same
    classes (its directory is warm, as in a running bot). Sampling the same number of classes
    at every size compares what grows with the district — tables, indexes, the cache's size —
    and not how many classes a few hundred messages happen to touch."""
    with tempfile.TemporaryDirectory(prefix="classbot-scale-") as tmp:
        path = Path(tmp) / "scale.db"
        parents = await seed(path, classes, families)
        config = Config.model_validate({"database_url": f"sqlite:///{path}",
                                        "classes": []})
        clock = SimulatedClock(MONDAY + timedelta(days=2, hours=3))  # notice 2 is fresh
        channel = MemoryChannel()
        bot = ClassBot(config, [channel], clock)
        await bot.start(background=False)
        try:
            pick = random.Random(classes)
            groups = pick.sample(sorted({group for _, group in parents}), SAMPLED)
            by_group = {g: [p for p in parents if p[1] == g] for g in groups}
            n = 0

            async def one(speaker: str, group: str) -> float:
                nonlocal n
                n += 1
                event = channel.event_for(Say(speaker, group, "收到"), clock.now(),
                                          message_id=f"scale-{n}")
                start = time.perf_counter()
                await bot.pipeline.handle(event)
                return time.perf_counter() - start

            cold = [await one(*by_group[g][0]) for g in groups]
            warm = [await one(*pick.choice(by_group[pick.choice(groups)]))
                    for _ in range(messages)]
        finally:
            await bot.stop()
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--families", type=int, default=40)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; python "
          f"{sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}; "
          f"{args.messages} new 收到 per size, median per message")
    base: tuple[float, float] | None = None
    for size in sizes:
        cold, warm = asyncio.run(measure(size, args.families, args.messages))
        base = base or (cold, warm)
        print(f"{size:>6} classes  first in a class {cold * 1000:7.2f} ms "
              f"{cold / base[0]:5.2f}×   warm {warm * 1000:7.2f} ms {warm / base[1]:5.2f}× "
              f"the {sizes[0]}-class cost")


if __name__ == "__main__":
    main()
