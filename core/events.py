"""The normalized shapes every channel adapter speaks (see docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChatKind(StrEnum):
    GROUP = "group"
    PRIVATE = "private"


class EventKind(StrEnum):
    """Most events are messages; platforms that report group membership changes (WeChat room
    join/leave) hand them in through the same path, so they get the same de-duplication,
    transaction and outbox."""

    MESSAGE = "message"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"


@dataclass(frozen=True)
class ChatRef:
    channel: str
    chat_id: str
    kind: ChatKind
    title: str = ""


@dataclass(frozen=True)
class UserRef:
    channel: str
    user_id: str
    display_name: str


class ChatChange(StrEnum):
    """Something that happened to a group itself rather than a message in it."""

    JOINED = "joined"  # the bot was added
    LEFT = "left"  # the bot was removed or the group deleted
    MIGRATED = "migrated"  # Telegram turned the group into a supergroup with a new id


@dataclass(frozen=True)
class Event:
    """One incoming message, already stripped of platform quirks."""

    channel: str
    chat: ChatRef
    sender: UserRef
    text: str
    message_id: str
    received_at: datetime
    mentions_bot: bool = False
    reply_to: str | None = None
    action: str | None = None
    change: ChatChange | None = None
    new_chat_id: str | None = None  # for MIGRATED
    kind: EventKind = EventKind.MESSAGE
    members: tuple[UserRef, ...] = ()  # who joined or left (kind MEMBER_*)
    # References to images or files the platform gave (file ids, URLs), never their content.
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    """A choice a user can press; `label` is also the word to type where buttons don't exist."""

    label: str
    action: str


@dataclass(frozen=True)
class Mention:
    user_id: str
    display_name: str


@dataclass(frozen=True)
class Outgoing:
    chat: ChatRef
    text: str
    mentions: tuple[Mention, ...] = ()
    buttons: tuple[Button, ...] = ()
    # A local file to send with the text as its caption (only to channels with
    # Capabilities.files; .png goes as a picture, anything else as a document).
    file: str | None = None


@dataclass(frozen=True)
class SentRef:
    message_id: str
    extra: dict[str, str] = field(default_factory=dict)
