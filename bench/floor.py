"""The stdlib-sqlite3 floor for the inbound path: the statements one new 收到 costs, run bare.

Why: a benchmark figure alone says nothing on a shared machine; next to the fastest these same
statements can go on this machine in the same minute (no Python framework, no event loop, no
ORM), it says how far the bot is from the limit. Run on a copy of the benchmark's own database
(same schema, indexes and pragmas: WAL, synchronous=NORMAL).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

STATEMENTS = (
    ("INSERT INTO inbound_messages (channel, chat_id, message_id, received_at) "
     "VALUES ('memory', 'g', ?, '2026-12-01 01:00:00') ON CONFLICT DO NOTHING RETURNING id, "
     "(SELECT version FROM directory_stamp WHERE id = 1)"),
    ("INSERT INTO identities (channel, external_id, display_name, private_reachable, "
     "last_seen_at) VALUES ('memory', ?, 'p', 0, '2026-12-01 01:00:00') "
     "ON CONFLICT (channel, external_id) DO UPDATE SET last_seen_at = excluded.last_seen_at "
     "RETURNING *, (SELECT id FROM pending_questions WHERE person_id = identities.person_id "
     "AND channel = 'memory' AND chat_id = 'g' LIMIT 1)"),
    ("INSERT INTO notice_acks (notice_id, student_id, person_id, via, acked_at) "
     "VALUES (1, ?, 1, 'word', '2026-12-01 01:00:00') ON CONFLICT DO NOTHING "
     "RETURNING student_id"),
    "SELECT student_id FROM notice_acks WHERE notice_id = 1 AND ? > 0",
    "SELECT * FROM outbox WHERE key_base = 'notice:1:post:' AND status = 'sent' AND ? > 0",
    ("UPDATE outbox SET text = 'card ' || ? WHERE key_base = 'edit:1:' "
     "AND status = 'pending'"),
)


def floor(db: Path, messages: int, per_transaction: int) -> float:
    """Messages a second for the statements above, `per_transaction` messages per COMMIT."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA foreign_keys=ON")
    start = time.perf_counter()
    for first in range(0, messages, per_transaction):
        conn.execute("BEGIN IMMEDIATE")
        for i in range(first, min(messages, first + per_transaction)):
            for statement in STATEMENTS:
                key = f"floor-{per_transaction}-{i}" if "inbound" in statement else i % 40 + 1
                conn.execute(statement, (key,)).fetchall()
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return messages / seconds
