"""The scripted grammar shared by the console and the memory channel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.channels.script import (
    Attach,
    Say,
    ScriptError,
    SetTime,
    echo,
    format_outgoing,
    parse_line,
)
from bot.transcript import TranscriptRunner
from core.events import ChatKind, ChatRef, Mention, Outgoing
from tests.harness import Harness
from tests.sheets import xlsx


def test_say_lines_with_colons_and_newlines() -> None:
    item = parse_line("王老师 @ 三年级二班: #通知 周五春游\\n早上7:50到校")
    assert item == Say("王老师", "三年级二班", "#通知 周五春游\n早上7:50到校")
    assert parse_line("赵雪爸爸 @ 私聊：你好") == Say("赵雪爸爸", "私聊", "你好")


def test_comments_blank_lines_and_hash_commands() -> None:
    assert parse_line("") is None and parse_line("   ") is None
    assert parse_line("#! a comment") is None
    with pytest.raises(ScriptError):
        parse_line("#通知 周五春游")  # a command needs a speaker and a chat


def test_time_lines() -> None:
    item = parse_line(":time 2026-12-01 09:00")
    assert isinstance(item, SetTime) and item.local == datetime(2026, 12, 1, 9, 0)
    with pytest.raises(ScriptError):
        parse_line(":time tomorrow")


def test_echo_and_output_formats() -> None:
    assert echo(Say("赵雪爸爸", "私聊", "你好")) == "[私聊 赵雪爸爸] 赵雪爸爸: 你好"
    assert echo(Say("王老师", "三年级二班", "a\nb")) == "[三年级二班] 王老师: a\n    b"
    group = Outgoing(ChatRef("console", "g", ChatKind.GROUP, "三年级二班"), "第一行\n第二行",
                     mentions=(Mention("x", "李明妈妈"),))
    expected = "[三年级二班] 班级助手: @李明妈妈 第一行\n    第二行"
    assert format_outgoing(group, "班级助手") == expected
    private = Outgoing(ChatRef("console", "赵雪爸爸", ChatKind.PRIVATE, "赵雪爸爸"), "提醒")
    assert format_outgoing(private, "班级助手") == "[私聊 赵雪爸爸] 班级助手: 提醒"


def test_attach_lines() -> None:
    item = parse_line(":attach 成绩/期中 考试.xlsx ")
    assert item == Attach("成绩/期中 考试.xlsx", ":attach 成绩/期中 考试.xlsx")
    assert echo(item) == ":attach 成绩/期中 考试.xlsx"
    with pytest.raises(ScriptError, match=":attach PATH"):
        parse_line(":attach")
    assert parse_line("王老师 @ 私聊:") == Say("王老师", "私聊", ""), "a file needs no text"


async def test_an_attached_file_goes_with_the_next_message_only(bound: Harness,
                                                                tmp_path: Path) -> None:
    """`:attach PATH` (relative to the script's folder) puts the file on the next message:
    here the score sheet a teacher sends with #成绩, as on Telegram."""
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "期中.xlsx").write_bytes(xlsx((("姓名", "语文"), ("李明", 95),
                                                          ("张华", 88))))
    out: list[str] = []
    runner = TranscriptRunner(bound.bot, bound.channel, bound.clock, out.append,
                              base_dir=tmp_path)
    assert await runner.feed(":attach sheets/期中.xlsx", 1)
    assert await runner.feed("王老师 @ 私聊: #成绩", 2)
    assert out[:2] == [":attach sheets/期中.xlsx", "[私聊 王老师] 王老师: #成绩"]
    assert "读到 2 名学生" in bound.channel.sent[-1].text
    assert await runner.feed("王老师 @ 私聊: #成绩", 3)
    assert "请发送成绩表文件或粘贴表格" in bound.channel.sent[-1].text, "the file went once"


async def test_a_missing_attachment_is_a_bad_line(bound: Harness, tmp_path: Path) -> None:
    out: list[str] = []
    runner = TranscriptRunner(bound.bot, bound.channel, bound.clock, out.append,
                              base_dir=tmp_path)
    assert not await runner.feed(":attach nowhere.xlsx", 7)
    [said] = out
    assert said.startswith("!! 第 7 行附不上文件：:attach nowhere.xlsx")
    assert str(tmp_path / "nowhere.xlsx") in said
    assert await runner.feed("王老师 @ 私聊: #成绩", 8)
    assert "请发送成绩表文件或粘贴表格" in bound.channel.sent[-1].text, "nothing attached"
