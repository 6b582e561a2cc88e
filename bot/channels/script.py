"""The scripted grammar shared by the console and memory channels.

Input:  `SPEAKER @ CHAT: TEXT` (CHAT is a group name or 私聊), `:time YYYY-MM-DD HH:MM`,
        `:attach PATH` (a local file sent with the next message; TEXT may then be empty),
        blank lines and `#!` comments ignored.  `\\n` inside TEXT is a newline.
Output: `[CHAT] 班级助手: TEXT` / `[私聊 NAME] 班级助手: TEXT`, further lines indented.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.channel import Capabilities, EventSink, SendLimits
from core.events import ChatKind, ChatRef, Event, InboundFile, Outgoing, SentRef, UserRef

PRIVATE = "私聊"
INDENT = "    "
_SAY = re.compile(r"^(?P<speaker>[^@:：]+?)\s*@\s*(?P<chat>[^:：]+?)\s*[:：]\s?(?P<text>.*)$")
_TIME = re.compile(r"^:time\s+(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2})\s*$")
_ATTACH = re.compile(r"^:attach\s+(\S.*?)\s*$")


class ScriptError(ValueError):
    """A line that fits none of the grammar's forms (message says which forms exist)."""


@dataclass(frozen=True)
class Say:
    speaker: str
    chat: str
    text: str

    @property
    def private(self) -> bool:
        return self.chat == PRIVATE


@dataclass(frozen=True)
class SetTime:
    local: datetime  # naive, in the console's time zone
    raw: str


@dataclass(frozen=True)
class Attach:
    """`:attach PATH`: the next message carries this local file (relative to the script)."""

    path: str
    raw: str


def parse_line(line: str) -> Say | SetTime | Attach | None:
    """None for lines to skip; raises ScriptError for lines that fit no form."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#!"):
        return None
    if stripped.startswith(":attach"):
        found = _ATTACH.match(stripped)
        if not found:
            raise ScriptError("expected ':attach PATH' (a local file for the next message)")
        return Attach(found.group(1), stripped)
    if stripped.startswith(":time"):
        found = _TIME.match(stripped)
        if not found:
            raise ScriptError("expected ':time YYYY-MM-DD HH:MM'")
        return SetTime(datetime.strptime(found.group(1).replace("T", " "), "%Y-%m-%d %H:%M"),
                       stripped)
    found = _SAY.match(stripped)
    if not found:
        raise ScriptError("expected 'SPEAKER @ CHAT: TEXT' (CHAT is a group name or 私聊)")
    return Say(found["speaker"].strip(), found["chat"].strip(),
               found["text"].replace("\\n", "\n"))


def _block(prefix: str, text: str) -> str:
    first, *rest = text.split("\n")
    return "\n".join([prefix + first, *(INDENT + line for line in rest)])


def echo(item: Say | SetTime | Attach) -> str:
    if isinstance(item, SetTime | Attach):
        return item.raw
    where = f"{PRIVATE} {item.speaker}" if item.private else item.chat
    return _block(f"[{where}] {item.speaker}: ", item.text)


def local_file(path: Path) -> InboundFile:
    """A file on this machine as an inbound file (read when a handler asks, off the loop).
    Raises OSError when it is not there."""
    size = path.stat().st_size
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    async def fetch() -> bytes:
        return await asyncio.to_thread(path.read_bytes)

    return InboundFile(name=path.name, mime=mime, size=size, fetch=fetch)


def format_outgoing(out: Outgoing, bot_name: str) -> str:
    where = f"{PRIVATE} {out.chat.title}" if out.chat.kind is ChatKind.PRIVATE else out.chat.title
    mentions = "".join(f"@{m.display_name} " for m in out.mentions)
    return _block(f"[{where}] {bot_name}: ", mentions + out.text)


class ScriptedChannel:
    """A channel driven by the scripted grammar: people are typed by name, chats by title."""

    def __init__(self, name: str, bot_name: str, *, limits: SendLimits | None = None,
                 capabilities: Capabilities | None = None) -> None:
        self.name = name
        self.bot_name = bot_name
        self.limits = limits or SendLimits()
        self.capabilities = capabilities or Capabilities(private_needs_contact=False,
                                                         names_are_accounts=True)
        self._sink: EventSink | None = None
        # Unique per process: a console session on yesterday's database must not look like a
        # redelivery of yesterday's messages.
        self._session = uuid.uuid4().hex[:8]
        self._in_ids = itertools.count(1)
        self._out_ids = itertools.count(1)

    async def start(self, on_event: EventSink) -> None:
        self._sink = on_event

    async def stop(self) -> None:
        self._sink = None

    def event_for(self, say: Say, now: datetime, *, message_id: str | None = None,
                  reply_to: str | None = None, action: str | None = None,
                  mentioned: tuple[str, ...] = (), reply_to_sender: str | None = None,
                  files: tuple[InboundFile, ...] = ()) -> Event:
        """`mentioned` / `reply_to_sender`: speakers the message @-mentions or quotes, as a
        real platform would report them (tests of the role rules); `files`: what `:attach`
        lines put on this message."""
        if say.private:
            chat = ChatRef(self.name, say.speaker, ChatKind.PRIVATE, say.speaker)
        else:
            chat = ChatRef(self.name, say.chat, ChatKind.GROUP, say.chat)
        text = say.text
        mention = f"@{self.bot_name}"
        mentions_bot = text.lstrip().startswith(mention)
        if mentions_bot:
            text = text.lstrip()[len(mention):].lstrip()
        return Event(channel=self.name, chat=chat,
                     sender=UserRef(self.name, say.speaker, say.speaker), text=text,
                     message_id=message_id or f"in-{self._session}-{next(self._in_ids)}",
                     received_at=now.astimezone(UTC), mentions_bot=mentions_bot,
                     reply_to=reply_to, action=action,
                     mentioned=tuple(UserRef(self.name, n, n) for n in mentioned),
                     reply_to_sender=UserRef(self.name, reply_to_sender, reply_to_sender)
                     if reply_to_sender else None, files=files)

    async def receive(self, event: Event) -> None:
        if self._sink is None:
            raise RuntimeError(f"channel {self.name} is not started")
        await self._sink(event)

    def next_sent_id(self) -> SentRef:
        return SentRef(f"out-{next(self._out_ids)}")

    async def send(self, out: Outgoing) -> SentRef:
        raise NotImplementedError


def local_to_utc(local: datetime, tz: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
