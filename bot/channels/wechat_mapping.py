"""WeChat ⇄ normalized shapes, as pure functions: tested from plain payloads, no SDK, no server.

The SDK objects (Message, Room, Contact) are read in bot/channels/wechaty.py into `RawMessage`
and `RawMembers`; everything decided about them (what is ignored, how the bot's @mention and a
quoted message are cut from the text, what an outgoing message becomes) lives here.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from core.events import ChatKind, ChatRef, Event, EventKind, InboundFile, Outgoing, UserRef

CHANNEL = "wechat"
AT_SEPARATOR = "\u2005"  # WeChat puts this thin space after an @name
# How WeChat shows a quoted reply (引用) as text in the puppet's payload.
_QUOTE = re.compile(r"^「(?P<name>[^：:」]+)[：:](?P<quoted>.*?)」\s*\n-(?: -)+\s*\n(?P<reply>.*)$",
                    re.S)


@dataclass(frozen=True)
class RawMessage:
    """What the channel read from one wechaty Message."""

    message_id: str
    is_text: bool
    type_name: str
    from_self: bool
    talker_id: str
    talker_name: str  # room alias if set, else the WeChat name
    text: str
    room_id: str | None
    room_topic: str
    mentions_self: bool
    self_names: tuple[str, ...]  # the bot's name and its alias in this room
    sent_at: datetime
    reply_to: str | None = None
    mentioned: tuple[UserRef, ...] = ()  # @-mentions by account, other than the bot
    # A file message (WeChat's 文件, MessageType Attachment), its content fetched on reading.
    file: InboundFile | None = None


@dataclass(frozen=True)
class RawMembers:
    """A room join or leave as the channel read it."""

    kind: EventKind
    room_id: str
    room_topic: str
    members: tuple[UserRef, ...]
    actor: UserRef | None  # inviter / remover, when the puppet tells
    occurred_at: datetime


@dataclass(frozen=True)
class Quote:
    name: str
    quoted: str
    reply: str


def split_quote(text: str) -> Quote | None:
    """A quoted reply's parts, or None for an ordinary message."""
    found = _QUOTE.match(text)
    if found is None:
        return None
    return Quote(found["name"].strip(), found["quoted"].strip(), found["reply"].strip())


def strip_self_mention(text: str, names: tuple[str, ...]) -> str:
    """Cut only the bot's @name (other @mentions are arguments, e.g. `#家委 @李明妈妈`)."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = re.sub(f"@{re.escape(name)}(?:{AT_SEPARATOR}| |$)", "", text)
    return text.strip()


def ignore_reason(raw: RawMessage) -> str | None:
    """Why a message is deliberately not an event (logged by the channel), or None."""
    if raw.from_self:
        return "sent by the bot itself"
    if raw.file is not None:
        # A WeChat file carries no caption: only privately can it answer something (#成绩).
        return "a file in a room" if raw.room_id else None
    if not raw.is_text:
        return f"not text ({raw.type_name})"
    if not raw.text.strip():
        return "empty text"
    return None


def to_event(raw: RawMessage) -> Event | None:
    if ignore_reason(raw) is not None:
        return None
    if raw.file is not None:
        return Event(channel=CHANNEL,
                     chat=ChatRef(CHANNEL, raw.talker_id, ChatKind.PRIVATE, raw.talker_name),
                     sender=UserRef(CHANNEL, raw.talker_id, raw.talker_name), text="",
                     message_id=raw.message_id, received_at=raw.sent_at,
                     files=(raw.file,), attachments=(f"file:{raw.message_id}",))
    text = raw.text
    quote = split_quote(text)
    if quote is not None:
        text = quote.reply
    if raw.room_id:
        chat = ChatRef(CHANNEL, raw.room_id, ChatKind.GROUP, raw.room_topic)
        text = strip_self_mention(text, raw.self_names) if raw.mentions_self else text.strip()
    else:
        chat = ChatRef(CHANNEL, raw.talker_id, ChatKind.PRIVATE, raw.talker_name)
        text = text.strip()
    return Event(channel=CHANNEL, chat=chat,
                 sender=UserRef(CHANNEL, raw.talker_id, raw.talker_name), text=text,
                 message_id=raw.message_id, received_at=raw.sent_at,
                 mentions_bot=raw.mentions_self and bool(raw.room_id), reply_to=raw.reply_to,
                 mentioned=raw.mentioned if raw.room_id else ())


def members_event(raw: RawMembers) -> Event | None:
    if not raw.members:
        return None
    ids = ",".join(sorted(m.user_id for m in raw.members))
    stamp = int(raw.occurred_at.timestamp())
    return Event(channel=CHANNEL, chat=ChatRef(CHANNEL, raw.room_id, ChatKind.GROUP,
                                               raw.room_topic),
                 sender=raw.actor or raw.members[0], text="",
                 message_id=f"{raw.kind.value}:{stamp}:{ids}"[:128],
                 received_at=raw.occurred_at, kind=raw.kind, members=raw.members)


@dataclass(frozen=True)
class PlatformText:
    """One `say` call: into a room (with @mentions) or to a contact."""

    conversation_id: str
    room: bool
    text: str
    mention_ids: tuple[str, ...]


def to_platform(out: Outgoing) -> PlatformText:
    """WeChat renders mentions itself (room.say puts @name before the text); private chats
    have no mentions, so names are written into the text there."""
    if out.chat.kind is ChatKind.GROUP:
        return PlatformText(out.chat.chat_id, True, out.text,
                            tuple(dict.fromkeys(m.user_id for m in out.mentions)))
    names = "".join(f"@{m.display_name} " for m in out.mentions)
    return PlatformText(out.chat.chat_id, False, names + out.text, ())


class SentMemory:
    """The bot's recent messages per chat, so a WeChat quote (which carries only the quoted
    text, never its id) can be traced back to the message it quotes. Bounded; after a restart
    an old quote is simply a plain message."""

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], str] = OrderedDict()

    def remember(self, chat_id: str, message_id: str, text: str) -> None:
        if not message_id:
            return
        self._items[(chat_id, message_id)] = _squash(text)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def find(self, chat_id: str, quoted: str) -> str | None:
        """The newest bot message in this chat that starts with (or equals) the quoted text."""
        wanted = _squash(quoted).rstrip("…").rstrip(".")
        if not wanted:
            return None
        for (chat, message_id), text in reversed(self._items.items()):
            if chat == chat_id and text.startswith(wanted):
                return message_id
        return None


class EchoLog:
    """The bot's own messages as the gateway echoed them back, numbered in order of arrival.

    After a send timed out, the sender asks whether an echo of that text in that chat arrived
    after the send began (`mark`): then the message went out and is not sent again.
    """

    def __init__(self, size: int = 500) -> None:
        self.size = size
        self.seq = 0
        self._items: OrderedDict[int, tuple[str, str, str]] = OrderedDict()

    def add(self, conversation_id: str, text: str, message_id: str) -> None:
        self.seq += 1
        self._items[self.seq] = (conversation_id, _squash(text), message_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def find(self, conversation_id: str, text: str, after: int) -> str | None:
        """The id of the first echo after `after` of exactly this text in this chat."""
        wanted = _squash(text)
        for seq, (chat, echoed, message_id) in self._items.items():
            if seq > after and chat == conversation_id and echoed == wanted:
                return message_id
        return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
