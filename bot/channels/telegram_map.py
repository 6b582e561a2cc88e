"""Telegram ⇄ classbot shapes, as pure functions (tested from payloads, no server needed).

Everything Telegram-specific about reading an update or writing a message lives here: which
updates matter, the bot's @mention and the `/command@BotName` form, quoted replies, button
payloads (callback_data is limited to 64 bytes), and text-mention offsets counted in UTF-16.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import (
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
    User,
)
from telegram.constants import ChatType

from core.events import (
    Button,
    ChatChange,
    ChatKind,
    ChatRef,
    Event,
    InboundFile,
    Outgoing,
    UserRef,
)

CHANNEL = "telegram"
CALLBACK_LIMIT = 64  # bytes, Bot API
TOAST_LIMIT = 200  # characters of answerCallbackQuery text
_HASHED = "k:"
_GONE = (ChatMember.LEFT, ChatMember.BANNED)
# Downloads a file by its file_id (getFile, then the Bot API's file URL): the channel's network.
Fetcher = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class BotIdentity:
    id: int
    username: str  # without '@'


def chat_ref(chat: Any) -> ChatRef | None:
    """Groups and supergroups are groups; channels (broadcast only) are not for us."""
    if chat.type == ChatType.PRIVATE:
        name = " ".join(p for p in (chat.first_name, chat.last_name) if p) or str(chat.id)
        return ChatRef(CHANNEL, str(chat.id), ChatKind.PRIVATE, name)
    if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        return ChatRef(CHANNEL, str(chat.id), ChatKind.GROUP, chat.title or str(chat.id))
    return None


def user_ref(user: User) -> UserRef:
    return UserRef(CHANNEL, str(user.id), user.full_name)


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)  # only for payloads without a date (never in practice)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _strip_mention(text: str, me: BotIdentity) -> tuple[str, bool]:
    """'@class_bot 通知 …' → ('通知 …', True); a mention elsewhere only sets the flag."""
    handle = f"@{me.username}".lower()
    stripped = text.lstrip()
    if stripped.lower().startswith(handle):
        return stripped[len(handle):].lstrip(" \t,，:："), True
    return text, handle in text.lower()


def _for_other_bot(text: str, me: BotIdentity) -> bool:
    """`/help@OtherBot` in a group with several bots is not ours."""
    if not text.startswith("/"):
        return False
    head = text.split(maxsplit=1)[0]
    return "@" in head and head.split("@", 1)[1].lower() != me.username.lower()


def document_file(message: Message, fetch: Fetcher | None) -> InboundFile | None:
    """A document (a file sent as a file, not a photo) as an inbound file, fetched only when a
    handler reads it. Photos are not documents: a spreadsheet always arrives as one."""
    document = message.document
    if document is None or fetch is None:
        return None
    file_id = document.file_id

    async def download() -> bytes:
        return await fetch(file_id)

    return InboundFile(name=document.file_name or "", mime=document.mime_type or "",
                       size=document.file_size, fetch=download)


def message_event(message: Message, me: BotIdentity,
                  fetch: Fetcher | None = None) -> Event | None:
    chat = chat_ref(message.chat)
    if chat is None or message.from_user is None:
        return None
    base: dict[str, Any] = {
        "channel": CHANNEL, "chat": chat, "sender": user_ref(message.from_user),
        "message_id": str(message.message_id), "received_at": _utc(message.date),
    }
    if message.migrate_to_chat_id:
        return Event(text="", change=ChatChange.MIGRATED,
                     new_chat_id=str(message.migrate_to_chat_id), **base)
    text = message.text or message.caption or ""
    document = document_file(message, fetch)
    # A file without a caption matters only privately (a score sheet after #成绩); in a group
    # it is nobody's business, as before.
    if not text and (document is None or chat.kind is not ChatKind.PRIVATE):
        return None
    if message.from_user.id == me.id or _for_other_bot(text, me):
        return None
    text, mentioned = _strip_mention(text, me)
    reply_to = message.reply_to_message
    author = reply_to.from_user if reply_to else None
    return Event(text=text, mentions_bot=mentioned,
                 reply_to=str(reply_to.message_id) if reply_to else None,
                 mentioned=pointed_users(message, me),
                 reply_to_sender=user_ref(author) if author and author.id != me.id else None,
                 files=(document,) if document else (),
                 attachments=(f"document:{message.document.file_id}",) if message.document
                 else (), **base)


def pointed_users(message: Message, me: BotIdentity) -> tuple[UserRef, ...]:
    """People @-mentioned by account: text mentions (Telegram's mention of a user picked from
    the list, which carries the user). A plain `@username` carries only a name anyone could
    take, so it points at nobody (a reply does)."""
    entities = message.entities or message.caption_entities or ()
    users = [e.user for e in entities
             if e.type == MessageEntity.TEXT_MENTION and e.user and e.user.id != me.id]
    return tuple(dict.fromkeys(user_ref(u) for u in users))


def member_event(update: Update, me: BotIdentity) -> Event | None:
    """The bot's own membership changed: added to a group, or removed / group deleted."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.user.id != me.id:
        return None
    chat = chat_ref(change.chat)
    if chat is None or chat.kind is not ChatKind.GROUP:
        return None
    was_in = change.old_chat_member.status not in _GONE
    is_in = change.new_chat_member.status not in _GONE
    if was_in == is_in:
        return None  # promoted, restricted …: still there
    return Event(channel=CHANNEL, chat=chat, sender=user_ref(change.from_user), text="",
                 message_id=f"member:{update.update_id}", received_at=_utc(change.date),
                 change=ChatChange.JOINED if is_in else ChatChange.LEFT)


def callback_event(update: Update, action: str | None) -> Event | None:
    """A button press, as if the presser had typed the button's command in that chat."""
    query = update.callback_query
    if query is None or query.message is None or action is None:
        return None
    chat = chat_ref(query.message.chat)
    if chat is None:
        return None
    return Event(channel=CHANNEL, chat=chat, sender=user_ref(query.from_user), text="",
                 message_id=f"cb:{query.id}", received_at=_utc(query.message.date),
                 reply_to=str(query.message.message_id), action=action)


def to_event(update: Update, me: BotIdentity,
             actions: MutableMapping[str, str] | None = None,
             fetch: Fetcher | None = None) -> Event | None:
    """Map one update; None for what the bot deliberately ignores (edits, stickers, channels).

    Edited messages are ignored on purpose: the original was already handled, and re-running a
    corrected `#通知` would publish a second notice.
    """
    if update.callback_query is not None:
        return callback_event(update, decode_action(update.callback_query.data, actions))
    if update.my_chat_member is not None:
        return member_event(update, me)
    if update.message is not None:
        return message_event(update.message, me, fetch)
    return None


# --- outgoing --------------------------------------------------------------------------------

def encode_action(action: str, actions: MutableMapping[str, str]) -> str:
    """callback_data for a button: the command itself when it fits in 64 bytes, else a key."""
    if len(action.encode()) <= CALLBACK_LIMIT:
        return action
    key = _HASHED + hashlib.sha256(action.encode()).hexdigest()[:24]
    actions[key] = action
    return key


def decode_action(data: str | None, actions: MutableMapping[str, str] | None) -> str | None:
    if not data:
        return None
    if data.startswith(_HASHED):
        return (actions or {}).get(data)  # None: a key from before a restart (see README)
    return data


def utf16_len(text: str) -> int:
    """Telegram counts entity offsets in UTF-16 code units (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def keyboard(buttons: tuple[Button, ...],
             actions: MutableMapping[str, str]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    row_size = 3 if all(len(b.label) <= 6 for b in buttons) else 1
    flat = [InlineKeyboardButton(b.label, callback_data=encode_action(b.action, actions))
            for b in buttons]
    return InlineKeyboardMarkup([flat[i:i + row_size] for i in range(0, len(flat), row_size)])


def to_platform(out: Outgoing, actions: MutableMapping[str, str]) -> dict[str, Any]:
    """Keyword arguments for Bot.send_message: plain text (no parse mode, nothing to escape),
    @-mentions as text mentions by user id (works whether or not the parent has a username)."""
    prefix = ""
    entities: list[MessageEntity] = []
    for mention in out.mentions:
        label = f"@{mention.display_name}"
        user_id = int(mention.user_id) if mention.user_id.lstrip("-").isdigit() else None
        if user_id is not None:
            entities.append(MessageEntity(
                MessageEntity.TEXT_MENTION, utf16_len(prefix), utf16_len(label),
                user=User(user_id, mention.display_name, is_bot=False)))
        prefix += label + " "
    kwargs: dict[str, Any] = {"chat_id": int(out.chat.chat_id), "text": prefix + out.text}
    if entities:
        kwargs["entities"] = entities
    markup = keyboard(out.buttons, actions)
    if markup is not None:
        kwargs["reply_markup"] = markup
    return kwargs


def toast(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= TOAST_LIMIT else text[:TOAST_LIMIT - 1] + "…"
