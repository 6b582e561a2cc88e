"""Leaks closed at the boundary: control characters never get past an Event, and a transcript
is cut into messages at line feeds only."""

from __future__ import annotations

from sqlalchemy import select

from bot.transcript import transcript_lines
from core.events import clean_text
from models import Identity, Notice
from tests.harness import CLASS, Harness


def test_clean_text_drops_nul_controls_and_lone_surrogates() -> None:
    assert clean_text("收\x00到") == "收到"
    assert clean_text("a\x07\x1b[31mb\x7f\x85c\ud800") == "a[31mbc"
    assert clean_text("第一行\r\n第二行\r第三行\t完") == "第一行\n第二行\n第三行\t完"
    assert clean_text("emoji 🌹 and RTL \u202eabc") == "emoji 🌹 and RTL \u202eabc"


async def test_nul_in_a_name_and_a_text_never_reaches_the_database(bound: Harness) -> None:
    """PostgreSQL rejects NUL in text: a NUL in a display name made even the apology fail."""
    [answer] = await bound.say("王\x00老师", CLASS, "#绑定 三年级二班")
    assert "抱歉" not in answer.text
    await bound.say("王老师", CLASS, "#通知 春\x00游\n请带\x01好水")
    async with bound.db().session() as session:
        names = (await session.scalars(select(Identity.display_name))).all()
        notice = (await session.scalars(select(Notice))).one()
    assert all("\x00" not in name for name in names), names
    assert (notice.title, notice.body) == ("春游", "请带好水")


def test_transcript_lines_split_on_line_feeds_only() -> None:
    say = "王老师 @ 三年级二班: 第一段\u2028第二段\x85第三段\u2029\x0b\x0c末尾"
    text = f"{say}\r\n:time 2026-12-01 09:00\n"
    assert transcript_lines(text) == [say, ":time 2026-12-01 09:00"]
    assert transcript_lines("a\n\nb") == ["a", "", "b"]
