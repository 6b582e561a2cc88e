"""The WeChat mapping from recorded-style payloads: no SDK, no server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.channels.wechat_mapping import (
    RawMembers,
    RawMessage,
    SentMemory,
    ignore_reason,
    members_event,
    split_quote,
    strip_self_mention,
    to_event,
    to_platform,
)
from core.events import ChatKind, ChatRef, EventKind, InboundFile, Mention, Outgoing, UserRef

AT = "\u2005"
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ROOM_MSG = RawMessage(message_id="m1", is_text=True, type_name="MESSAGE_TYPE_TEXT",
                      from_self=False, talker_id="wx-li", talker_name="李明妈妈",
                      text=f"@小助手{AT}#登记 李明 妈妈", room_id="r1@chatroom",
                      room_topic="三年级二班家长群", mentions_self=True,
                      self_names=("班级助手", "小助手"), sent_at=NOW)


def test_room_message_becomes_a_group_event_without_the_bots_mention() -> None:
    event = to_event(ROOM_MSG)
    assert event is not None
    assert event.text == "#登记 李明 妈妈" and event.mentions_bot
    assert event.chat == ChatRef("wechat", "r1@chatroom", ChatKind.GROUP, "三年级二班家长群")
    assert event.sender == UserRef("wechat", "wx-li", "李明妈妈")
    assert event.kind is EventKind.MESSAGE


def test_other_mentions_stay_they_are_arguments() -> None:
    text = f"@班级助手{AT}#家委 @李明妈妈{AT}"
    assert strip_self_mention(text, ("班级助手",)) == f"#家委 @李明妈妈{AT}".strip()
    unmentioned = replace(ROOM_MSG, text=f"#家委 @李明妈妈{AT}", mentions_self=False)
    event = to_event(unmentioned)
    assert event is not None and "@李明妈妈" in event.text and not event.mentions_bot


def test_private_message_is_a_private_chat_named_after_the_talker() -> None:
    event = to_event(replace(ROOM_MSG, room_id=None, room_topic="", text=" 你好 ",
                             mentions_self=False))
    assert event is not None
    assert event.chat == ChatRef("wechat", "wx-li", ChatKind.PRIVATE, "李明妈妈")
    assert event.text == "你好"


def test_own_non_text_and_empty_messages_are_not_events() -> None:
    assert to_event(replace(ROOM_MSG, from_self=True)) is None
    assert to_event(replace(ROOM_MSG, is_text=False, type_name="MESSAGE_TYPE_IMAGE")) is None
    assert to_event(replace(ROOM_MSG, text="  ")) is None


def test_quoted_reply_keeps_only_the_reply_and_carries_the_quoted_id() -> None:
    text = "「班级助手：📢【通知 #1】周五春游」\n- - - - - - - - - - - - - - -\n收到"
    quote = split_quote(text)
    assert quote is not None
    assert (quote.name, quote.quoted, quote.reply) == ("班级助手", "📢【通知 #1】周五春游", "收到")
    event = to_event(replace(ROOM_MSG, text=text, mentions_self=False, reply_to="out-7"))
    assert event is not None and event.text == "收到" and event.reply_to == "out-7"
    assert split_quote("收到") is None


def test_sent_memory_finds_the_quoted_message_even_when_shortened() -> None:
    memory = SentMemory(size=3)
    memory.remember("r1", "s1", "📢【通知 #1】周五春游\n请带好水和帽子")
    memory.remember("r1", "s2", "📢【通知 #2】升旗\n穿校服")
    memory.remember("r2", "s3", "📢【通知 #1】周五春游\n请带好水和帽子")
    assert memory.find("r1", "📢【通知 #1】周五春游 请带好…") == "s1"
    assert memory.find("r2", "📢【通知 #1】周五春游") == "s3"
    assert memory.find("r1", "别的") is None
    memory.remember("r1", "s4", "另一条")
    assert memory.find("r1", "📢【通知 #1】") is None  # bounded: the oldest was forgotten


def test_outgoing_mentions_become_mention_ids_in_rooms_and_names_in_private() -> None:
    mentions = (Mention("wx-zhao", "赵雪爸爸"), Mention("wx-zhao", "赵雪爸爸"))
    group = to_platform(Outgoing(ChatRef("wechat", "r1", ChatKind.GROUP, "群"), "请回复收到",
                                 mentions=mentions))
    assert group.room and group.mention_ids == ("wx-zhao",) and group.text == "请回复收到"
    private = to_platform(Outgoing(ChatRef("wechat", "wx-li", ChatKind.PRIVATE, "李明妈妈"),
                                   "您好", mentions=mentions[:1]))
    assert not private.room and private.mention_ids == () and private.text == "@赵雪爸爸 您好"


def test_join_becomes_one_event_for_everyone_who_joined() -> None:
    members = (UserRef("wechat", "wx-a", "甲"), UserRef("wechat", "wx-b", "乙"))
    raw = RawMembers(kind=EventKind.MEMBER_JOINED, room_id="r1", room_topic="群",
                     members=members, actor=UserRef("wechat", "wx-wang", "王老师"),
                     occurred_at=NOW)
    event = members_event(raw)
    assert event is not None and event.kind is EventKind.MEMBER_JOINED
    assert event.members == members and event.sender.user_id == "wx-wang"
    # The id is what de-duplicates: the gateway delivering this join again (the members in any
    # order) is a duplicate; another join, a later one or a leave is not.
    again = members_event(replace(raw, members=members[::-1]))
    assert again is not None and again.message_id == event.message_id
    others = [replace(raw, members=members[:1]),
              replace(raw, occurred_at=NOW + timedelta(minutes=5)),
              replace(raw, kind=EventKind.MEMBER_LEFT)]
    ids = {e.message_id for e in map(members_event, others) if e is not None}
    assert len(ids) == 3 and event.message_id not in ids
    assert members_event(replace(raw, members=())) is None


def test_file_messages_count_privately_only() -> None:
    async def fetch() -> bytes:
        return b""

    file = InboundFile(name="成绩.xlsx", mime="", size=None, fetch=fetch)
    in_room = replace(ROOM_MSG, is_text=False, type_name="MESSAGE_TYPE_ATTACHMENT", text="",
                      mentions_self=False, file=file)
    assert ignore_reason(in_room) == "a file in a room" and to_event(in_room) is None
    private = replace(in_room, room_id=None, room_topic="")
    event = to_event(private)
    assert event is not None and event.files == (file,) and event.text == ""
    assert event.chat == ChatRef("wechat", "wx-li", ChatKind.PRIVATE, "李明妈妈")
    assert event.attachments == ("file:m1",)
    image = replace(private, type_name="MESSAGE_TYPE_IMAGE", file=None)
    assert to_event(image) is None, "pictures stay ignored"
