"""The scripted grammar shared by the console and the memory channel."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.channels.script import Say, ScriptError, SetTime, echo, format_outgoing, parse_line
from core.events import ChatKind, ChatRef, Mention, Outgoing


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
