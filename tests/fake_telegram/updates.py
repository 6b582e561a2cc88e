"""Update payloads shaped like the ones Telegram sends (only the fields PTB needs)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.fake_telegram.server import BOT_USER, next_date

GROUP_ID = -1001234567890
_message_ids = itertools.count(1)


def person(user_id: int, name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def group(chat_id: int = GROUP_ID, title: str = "三年级二班") -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": title}


def private(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def message(chat: dict[str, Any], sender: dict[str, Any], text: str, *,
            reply_to: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": next(_message_ids), "date": next_date(),
                            "chat": chat, "from": sender, "text": text, **extra}
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0,
                             "length": len(text.split()[0])}]
    if reply_to is not None:
        body["reply_to_message"] = reply_to
    return {"message": body}


def press(sender: dict[str, Any], card: dict[str, Any], data: str) -> dict[str, Any]:
    """A press on a button of `card` (the message object the fake returned to the bot)."""
    return {"callback_query": {"id": f"cq{next(_message_ids)}", "from": sender,
                               "message": card, "chat_instance": "ci", "data": data}}


def migrated(chat: dict[str, Any], sender: dict[str, Any], new_id: int) -> dict[str, Any]:
    return {"message": {"message_id": next(_message_ids), "date": next_date(),
                        "chat": {**chat, "type": "group"}, "from": sender,
                        "migrate_to_chat_id": new_id}}


def bot_membership(chat: dict[str, Any], by: dict[str, Any], old: str,
                   new: str) -> dict[str, Any]:
    def member(status: str) -> dict[str, Any]:
        extra = {"until_date": 0} if status == "kicked" else {}
        return {"user": BOT_USER, "status": status, **extra}

    return {"my_chat_member": {"chat": chat, "from": by, "date": next_date(),
                               "old_chat_member": member(old), "new_chat_member": member(new)}}


def document(chat: dict[str, Any], sender: dict[str, Any], file: dict[str, Any], *,
             caption: str | None = None) -> dict[str, Any]:
    """A file sent as a document (`file`: FakeTelegram.add_file's answer), with a caption."""
    body: dict[str, Any] = {"message_id": next(_message_ids), "date": next_date(),
                            "chat": chat, "from": sender, "document": file}
    if caption is not None:
        body["caption"] = caption
    return {"message": body}
