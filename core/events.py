"""The normalized shapes every channel adapter speaks (see docs/architecture.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum

_NEWLINES = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    """`text` without NUL and the other control characters (category Cc, except line feed and
    tab) or lone surrogates (Cs); `\r\n` and `\r` become `\n`.

    PostgreSQL rejects any text containing NUL, and a lone surrogate cannot be encoded as
    UTF-8: one such character in a display name made every write about its sender fail, even
    the apology. Cleaning where events are made means no handler, service or log ever sees one.
    """
    text = _NEWLINES.sub("\n", text)
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\n\t"
                   or unicodedata.category(ch) not in ("Cc", "Cs"))


def _clean_fields(obj: object) -> None:
    """Clean every str field of a frozen dataclass in place (from its __post_init__)."""
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if type(value) is str and (cleaned := clean_text(value)) != value:  # not enums
            object.__setattr__(obj, f.name, cleaned)


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

    def __post_init__(self) -> None:
        _clean_fields(self)


@dataclass(frozen=True)
class UserRef:
    channel: str
    user_id: str
    display_name: str

    def __post_init__(self) -> None:
        _clean_fields(self)


class ChatChange(StrEnum):
    """Something that happened to a group itself rather than a message in it."""

    JOINED = "joined"  # the bot was added
    LEFT = "left"  # the bot was removed or the group deleted
    MIGRATED = "migrated"  # Telegram turned the group into a supergroup with a new id


class FileTooLarge(Exception):
    """An inbound file is over the size the reader accepts (`size` in bytes, when known)."""

    def __init__(self, size: int | None, limit: int) -> None:
        super().__init__(f"file of {size} bytes, limit {limit}")
        self.size = size
        self.limit = limit


class FileUnavailable(Exception):
    """The platform would not hand over a file's content (expired, deleted, network): the
    channel's fetch raises this so a handler can ask for the file again."""


@dataclass(frozen=True)
class InboundFile:
    """A file someone sent the bot (a document on Telegram, a file message on WeChat, a
    `:attach` line on the console), with its content fetched only when a handler wants it.

    Why lazy: most files the bot sees are nobody's business (a photo in the group), and
    downloading each one would cost bandwidth and time on every message. The channel gives a
    `fetch` that knows how to get the bytes from its platform; handlers call `read(limit)` and
    never learn which platform that was. `size` is what the platform announced (None if it did
    not say): a file announced too big is refused before anything is downloaded.
    """

    name: str
    mime: str
    size: int | None
    fetch: Callable[[], Awaitable[bytes]] = field(compare=False, repr=False)

    def __post_init__(self) -> None:
        _clean_fields(self)

    @property
    def suffix(self) -> str:
        """`.xlsx`, `.csv` … in lower case ("" without one)."""
        stem, dot, ext = self.name.rpartition(".")
        return f".{ext.lower()}" if dot and stem else ""

    async def read(self, limit: int) -> bytes:
        """The content, at most `limit` bytes; FileTooLarge otherwise (checked on the announced
        size before fetching and on what arrived after). FileUnavailable when the platform
        would not give it."""
        if self.size is not None and self.size > limit:
            raise FileTooLarge(self.size, limit)
        data = await self.fetch()
        if len(data) > limit:
            raise FileTooLarge(len(data), limit)
        return data


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
    # Files whose content a handler may read (InboundFile.read): documents, not photos.
    files: tuple[InboundFile, ...] = ()
    # The people the message points at unambiguously, by account: @-mentions other than the
    # bot (where the platform says whom they mean) and the author of a quoted message.
    # `#任课 张老师 数学` gives the role to one of these, never to whoever is called 张老师.
    mentioned: tuple[UserRef, ...] = ()
    reply_to_sender: UserRef | None = None

    def __post_init__(self) -> None:
        """Every channel builds its events here, so this is the one place inbound text and
        names are cleaned (the refs clean themselves the same way)."""
        _clean_fields(self)


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
