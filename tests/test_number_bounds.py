"""Numbers no stored row can have are "not found" — never a query that crashes (SQLite from
2**63, PostgreSQL from 2**31) and never a value printed into the log by the driver."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from models.base import MAX_STORED_INT, storable
from tests.harness import CLASS, Harness

HUGE = ("2147483648", "9223372036854775808", "99999999999999999999999")


@contextmanager
def sql_parameters(h: Harness) -> Iterator[list[Any]]:
    """Every parameter the bot binds into SQL while the block runs."""
    seen: list[Any] = []
    engine = h.db().engine.sync_engine

    def record(_conn: Any, _cursor: Any, _statement: str, params: Any, *_rest: Any) -> None:
        rows = params if isinstance(params, list) else [params]
        for row in rows:
            seen.extend(row.values() if isinstance(row, dict) else row)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_storable_is_the_postgresql_integer_range() -> None:
    assert storable(1) and storable(MAX_STORED_INT)
    assert not storable(0) and not storable(MAX_STORED_INT + 1) and not storable(2**63)


@pytest.mark.parametrize("command", ["#未读", "#收到", "#报名情况", "#考勤", "#取消", "#签到"])
async def test_numbered_commands_say_not_found_for_numbers_out_of_range(
        bound: Harness, command: str) -> None:
    await bound.say("王老师", CLASS, "#通知 春游\n带水")
    await bound.say("王老师", CLASS, "#家长会 12月5日 19:00 | 教室 | 期中")
    speaker = "李明妈妈" if command in ("#收到", "#签到") else "王老师"
    for number in HUGE:
        with sql_parameters(bound) as params:
            sent = await bound.say(speaker, CLASS, f"{command} {number}")
        assert sent, f"{command} {number}: no answer"
        assert not any("出了点问题" in s.text for s in sent), sent
        assert any("没有" in s.text or "找不到" in s.text for s in sent), (command, sent)
        too_big = [p for p in params if isinstance(p, int) and not isinstance(p, bool)
                   and p > MAX_STORED_INT]
        assert not too_big, f"{command} {number} bound {too_big} into SQL"


async def test_superscripts_and_endless_digits_get_the_usage_line(bound: Harness) -> None:
    for rest in ("²", "1" * 5000):
        [answer] = await bound.say("王老师", CLASS, f"#未读 {rest}")
        assert "用法" in answer.text and len(answer.text) < 500, answer.text


@pytest.mark.parametrize("text", ["#补充 X-9223372036854775808 再说一句",
                                  "#评价 X-99999999999 满意", "#信箱 XZ-2147483648"])
async def test_letter_numbers_out_of_range_are_not_found(bound: Harness, text: str) -> None:
    speaker = "王老师" if text.startswith("#信箱") else "李明妈妈"
    with sql_parameters(bound) as params:
        sent = await bound.say(speaker, "私聊", text)
    assert sent and not any("出了点问题" in s.text for s in sent), sent
    assert not [p for p in params if isinstance(p, int) and not isinstance(p, bool)
                and p > MAX_STORED_INT]
