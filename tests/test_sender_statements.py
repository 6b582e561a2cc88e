"""How many SQL statements the outbox sender runs per row it sends (issue 14: ≤ 3, BEGIN and
COMMIT included), for replies handed over already claimed and for rows it claims itself.

Counted at the database: every statement a cursor runs (SQLite's BEGIN is one, db.py), a
PostgreSQL BEGIN, and a COMMIT or ROLLBACK only where a transaction was really opened — a
statement run alone (Database.single) commits by itself and costs no more. A count does not
depend on the machine's load, so a change that adds a write per row fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select

from bot.channels.script import Say
from core.events import ChatKind, ChatRef
from models import Database, OutboxMessage
from models.db import ONE_STATEMENT
from services import outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork
from tests.harness import CLASS, Harness

OPEN = "classbot_test_transaction_open"


@contextmanager
def executed(db: Database) -> Iterator[list[str]]:
    """The statements the database receives meanwhile, in order."""
    seen: list[str] = []
    engine = db.engine.sync_engine
    sqlite = db.is_sqlite

    def on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(ONE_STATEMENT) or options.get("isolation_level") == "AUTOCOMMIT":
            return  # no transaction: each statement commits alone
        conn.info[OPEN] = True
        if not sqlite:
            seen.append("BEGIN")  # asyncpg's BEGIN is no cursor statement; SQLite's is

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:300])

    def on_end(word: str) -> Any:
        def end(conn: Any) -> None:
            if conn.info.pop(OPEN, False):
                seen.append(word)
        return end

    on_commit, on_rollback = on_end("COMMIT"), on_end("ROLLBACK")
    listeners = [("begin", on_begin), ("before_cursor_execute", on_execute),
                 ("commit", on_commit), ("rollback", on_rollback)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


async def statuses(h: Harness) -> dict[str, int]:
    async with h.db().session() as session:
        rows = await session.execute(select(OutboxMessage.status, func.count())
                                     .group_by(OutboxMessage.status))
        return {status: count for status, count in rows.all()}


async def test_a_handed_reply_costs_its_mark_alone(bound: Harness) -> None:
    await bound.bot.settle()
    channel = bound.channel
    await channel.receive(channel.event_for(Say("李明妈妈", CLASS, "#帮助"), bound.clock.now()))
    with executed(bound.db()) as seen:
        await bound.bot.sender.drain()
    assert len(channel.sent) == 1
    # the "sent" mark only: the reply's event queued nothing else, so no read of other due
    # rows stands before or after it (tests/test_sender_handoff.py)
    assert len(seen) == 1, "\n".join(seen)
    assert seen[0].startswith("UPDATE outbox"), seen
    assert (await statuses(bound)).get("sending", 0) == 0


async def test_a_broadcast_costs_two_statements_a_row(bound: Harness) -> None:
    await bound.bot.settle()
    chats = [ChatRef("memory", f"p-{n}", ChatKind.PRIVATE, f"家长{n}") for n in range(30)]
    async with UnitOfWork(bound.db(), bound.clock, bound.config) as uow:  # as a nudge job
        for n, chat in enumerate(chats):
            await outbox.enqueue(uow, Draft(chat=chat, text=f"请回复收到 {n}", kind=Kind.NUDGE,
                                            urgent=True, dedupe_key=f"test:nudge:{n}"))
    with executed(bound.db()) as seen:
        await bound.bot.sender.drain()
    assert [s.out.chat.chat_id for s in bound.channel.sent] == [c.chat_id for c in chats]
    # one due read, then per row its claim (just before sending) and its mark (just after)
    assert len(seen) == 1 + 2 * len(chats), "\n".join(seen)
    assert len(seen) <= 3 * len(chats)
    assert (await statuses(bound)).get("sent", 0) >= len(chats)


async def test_an_idle_round_is_one_read(bound: Harness) -> None:
    await bound.bot.settle()
    with executed(bound.db()) as seen:
        assert await bound.bot.sender.drain() == 0
    assert len(seen) == 1 and seen[0].startswith("SELECT"), seen
