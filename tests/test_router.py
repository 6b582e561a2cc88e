"""Command matching: both spellings, @mentions, chatter ignored, usage on malformed input."""

from __future__ import annotations

from handlers import command_table
from tests.harness import CLASS, Harness


def test_every_spelling_matches_the_same_command() -> None:
    table = command_table()
    for text in ("#通知 标题", "＃通知 标题", "通知 标题", "/notice 标题", "/notice@ClassBot 标题",
                 "#通知标题"):
        found = table.match(text)
        assert found and found.command and found.command.name == "notice", text
        assert found.rest == "标题", text


def test_longest_word_wins_and_bare_words_need_a_break() -> None:
    table = command_table()
    urgent = table.match("#紧急通知 停课")
    assert urgent and urgent.command and urgent.command.name == "urgent"
    assert table.match("通知大家明天放假") is None, "a sentence starting with 通知 is chatter"
    assert table.match("/unknown hi") is None
    ack = table.match("收到")
    assert ack and ack.command is None and ack.phrase and ack.phrase.name == "ack"


async def test_mentioning_the_bot_works_like_a_hash(bound: Harness) -> None:
    sent = await bound.say("王老师", CLASS, "@班级助手 通知 周五春游\n带水")
    assert "【通知 #1】周五春游" in sent[0].text


async def test_ordinary_group_chatter_is_ignored(bound: Harness) -> None:
    for text in ("大家好", "明天几点到校？", "通知大家一下我家孩子明天请假", "哈哈哈"):
        assert await bound.say("李明妈妈", CLASS, text) == [], text


async def test_private_chatter_gets_a_pointer_to_help(bound: Harness) -> None:
    """From someone not registered; a registered parent is offered the mailbox instead."""
    sent = await bound.say("路人", "私聊", "你好")
    assert len(sent) == 1 and sent[0].private and "#帮助" in sent[0].text


async def test_group_only_command_in_private_explains_where(bound: Harness) -> None:
    sent = await bound.say("李明妈妈", "私聊", "#登记 李明 妈妈")
    assert "请在班级群里发送" in sent[0].text
