"""Telegram payloads → Event and Outgoing → sendMessage arguments, without any server."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update

from bot.channels import telegram_map as tgmap
from core.events import Button, ChatChange, ChatKind, ChatRef, Mention, Outgoing
from tests.fake_telegram import updates

ME = tgmap.BotIdentity(4242, "class_test_bot")
PARENT = updates.person(201, "李明妈妈")
GROUP = updates.group()


def update(body: dict[str, Any], update_id: int = 1) -> Update:
    return Update.de_json({"update_id": update_id, **body}, Bot("1:x"))


def event(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return tgmap.to_event(update(body), ME, {})


def test_group_message_with_the_bots_mention_becomes_a_command() -> None:
    e = event(updates.message(GROUP, PARENT, "@class_test_bot 登记 李明 妈妈"))
    assert e is not None
    assert e.chat.kind is ChatKind.GROUP and e.chat.chat_id == str(GROUP["id"])
    assert e.text == "登记 李明 妈妈" and e.mentions_bot
    assert e.sender.user_id == "201" and e.sender.display_name == "李明妈妈"


def test_private_message_and_quoted_reply() -> None:
    card = {"message_id": 77, "date": 0, "chat": GROUP, "text": "通知"}
    e = event(updates.message(GROUP, PARENT, "收到", reply_to=card))
    assert e is not None and e.reply_to == "77" and not e.mentions_bot
    e = event(updates.message(updates.private(PARENT), PARENT, "你好"))
    assert e is not None and e.chat.kind is ChatKind.PRIVATE and e.chat.title == "李明妈妈"


def test_what_the_bot_ignores() -> None:
    assert event(updates.message(GROUP, PARENT, "/help@other_bot")) is None
    assert event(updates.message(GROUP, PARENT, "/help@Class_Test_Bot")) is not None
    edited = updates.message(GROUP, PARENT, "#通知 改过的")["message"]
    assert event({"edited_message": edited}) is None, "an edit must not publish twice"
    sticker = updates.message(GROUP, PARENT, "")
    assert event(sticker) is None
    channel_post = updates.message({"id": -100777, "type": "channel", "title": "c"}, PARENT, "x")
    assert event(channel_post) is None


def test_button_press_is_the_buttons_command_from_the_presser() -> None:
    card = {"message_id": 55, "date": 0, "chat": GROUP, "text": "通知", "from": {
        "id": 4242, "is_bot": True, "first_name": "bot"}}
    e = event(updates.press(PARENT, card, "#收到 3"))
    assert e is not None
    assert e.action == "#收到 3" and e.reply_to == "55" and e.sender.user_id == "201"
    assert e.chat.chat_id == str(GROUP["id"]) and e.message_id.startswith("cb:")


def test_group_changes() -> None:
    e = event(updates.migrated(GROUP, PARENT, -100555))
    assert e is not None and e.change is ChatChange.MIGRATED and e.new_chat_id == "-100555"
    joined = event(updates.bot_membership(GROUP, PARENT, "left", "member"))
    assert joined is not None and joined.change is ChatChange.JOINED
    left = event(updates.bot_membership(GROUP, PARENT, "member", "kicked"))
    assert left is not None and left.change is ChatChange.LEFT
    assert event(updates.bot_membership(GROUP, PARENT, "member", "member")) is None


def test_long_button_commands_fit_callback_data() -> None:
    actions: dict[str, str] = {}
    long_action = "#报名 12 参加 " + "备注" * 30
    data = tgmap.encode_action(long_action, actions)
    assert len(data.encode()) <= tgmap.CALLBACK_LIMIT
    assert tgmap.decode_action(data, actions) == long_action
    assert tgmap.encode_action("#收到 3", actions) == "#收到 3"
    assert tgmap.decode_action(data, {}) is None, "an unknown key is not guessed"


def test_mentions_are_text_mentions_with_utf16_offsets() -> None:
    out = Outgoing(ChatRef("telegram", "-100", ChatKind.GROUP, "g"), "请确认通知 #1",
                   mentions=(Mention("203", "😀赵雪爸爸"), Mention("202", "张华爸爸")),
                   buttons=(Button("收到", "#收到 1"),))
    kwargs = tgmap.to_platform(out, {})
    assert kwargs["chat_id"] == -100
    assert kwargs["text"] == "@😀赵雪爸爸 @张华爸爸 请确认通知 #1"
    first, second = kwargs["entities"]
    assert (first.offset, first.length, first.user.id) == (0, 7, 203)  # 😀 is two units
    assert (second.offset, second.length, second.user.id) == (8, 5, 202)
    [[button]] = kwargs["reply_markup"].inline_keyboard
    assert (button.text, button.callback_data) == ("收到", "#收到 1")


def test_toast_is_cut_to_telegrams_limit() -> None:
    assert tgmap.toast(None) is None
    long = tgmap.toast("好" * 500)
    assert long is not None and len(long) == tgmap.TOAST_LIMIT


def test_the_command_menu_is_what_telegram_accepts() -> None:
    """setMyCommands refuses the whole menu if one entry breaks Telegram's rules."""
    import re

    from core.render import Renderer
    from handlers import command_table
    from kit.menu import command_menu

    menu = command_menu(command_table(), Renderer("zh_CN", bot_name="班级助手"))
    assert len(menu) <= 100
    assert len({m.command for m in menu}) == len(menu)
    for item in menu:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", item.command), item.command
        assert 1 <= len(item.description) <= 256, item
    names = {m.command for m in menu}
    assert {"notice", "ack", "unread", "register", "help"} <= names


def test_role_commands_point_by_account_text_mentions_and_quoted_authors() -> None:
    """#任课 picks a person by account (issue 16): a text mention carries the user, a reply
    its author; a plain @username or the bot itself points at nobody."""
    teacher = updates.person(305, "张老师")
    entities = [{"type": "text_mention", "offset": 4, "length": 3, "user": teacher},
                {"type": "mention", "offset": 8, "length": 6},
                {"type": "text_mention", "offset": 0, "length": 1,
                 "user": {"id": ME.id, "is_bot": True, "first_name": "bot"}}]
    e = event(updates.message(GROUP, PARENT, "#任课 张老师 @zhang 数学", entities=entities))
    assert e is not None and [(u.user_id, u.display_name) for u in e.mentioned] == [
        ("305", "张老师")]
    said = {"message_id": 9, "date": 0, "chat": GROUP, "from": teacher, "text": "大家好"}
    e = event(updates.message(GROUP, PARENT, "#任课 张老师 数学", reply_to=said))
    assert e is not None and e.reply_to_sender is not None
    assert e.reply_to_sender.user_id == "305" and not e.mentioned
    card = {"message_id": 10, "date": 0, "chat": GROUP, "text": "通知",
            "from": {"id": ME.id, "is_bot": True, "first_name": "bot"}}
    e = event(updates.message(GROUP, PARENT, "收到", reply_to=card))
    assert e is not None and e.reply_to_sender is None, "the bot's own card points at nobody"


async def test_documents_become_files_fetched_only_when_read() -> None:
    fetched: list[str] = []

    async def fetch(file_id: str) -> bytes:
        fetched.append(file_id)
        return b"a,b"

    doc = {"file_id": "BQx1", "file_unique_id": "u1", "file_name": "成绩.CSV",
           "mime_type": "text/csv", "file_size": 3}
    private = tgmap.to_event(update(updates.document(updates.private(PARENT), PARENT, doc)),
                             ME, {}, fetch=fetch)
    assert private is not None and private.text == "" and private.attachments == ("document:BQx1",)
    [file] = private.files
    assert (file.name, file.suffix, file.mime, file.size) == ("成绩.CSV", ".csv", "text/csv", 3)
    assert fetched == [], "nothing downloaded until a handler reads it"
    assert await file.read(1024) == b"a,b" and fetched == ["BQx1"]
    assert tgmap.to_event(update(updates.document(GROUP, PARENT, doc)), ME, {}, fetch=fetch) \
        is None, "a file without a caption in a group is not for the bot"
    captioned = tgmap.to_event(update(updates.document(GROUP, PARENT, doc, caption="#成绩")),
                               ME, {}, fetch=fetch)
    assert captioned is not None and captioned.text == "#成绩" and len(captioned.files) == 1
    photo = updates.message(updates.private(PARENT), PARENT, "")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1,
                                  "height": 1}]
    assert tgmap.to_event(update(photo), ME, {}, fetch=fetch) is None, "photos stay ignored"
