"""The Channel protocol and what the core needs to know about a channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from core.events import Event, Outgoing, SentRef


@dataclass(frozen=True)
class Rate:
    """At most `count` messages per `seconds`."""

    count: int
    seconds: float


@dataclass(frozen=True)
class SendLimits:
    """Platform send limits; the outbox sender enforces them so adapters never have to."""

    per_chat: Rate | None = None
    per_group: Rate | None = None
    overall: Rate | None = None
    # Up to this many seconds of random delay before each send, taken *before* the limiters
    # so the rates above still hold; a fixed rhythm looks like a bot to WeChat.
    jitter_seconds: float = 0.0

    @property
    def unlimited(self) -> bool:
        return self.per_chat is None and self.per_group is None and self.overall is None


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do, so the core adapts instead of asking which platform it is."""

    buttons: bool = False
    max_length: int = 4000
    # Telegram and WeChat cannot open a private chat with someone who never wrote to the bot.
    private_needs_contact: bool = True
    # A sent message's text and buttons can be changed later (a card's tally line).
    edits: bool = False
    # A link that opens a private chat with the bot, with "{code}" for a start payload
    # (Telegram: https://t.me/<bot>?start={code}); empty where the platform has none.
    private_link: str = ""
    # Send reminders to many people as one group message with @-mentions rather than one
    # private message each (WeChat restricts personal accounts that message many people).
    group_nudges: bool = False


class SendError(Exception):
    """Base for delivery failures."""


class TransientSendError(SendError):
    """Worth retrying (network, 5xx, rate limited)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnreachableError(SendError):
    """The chat will not accept messages (blocked, kicked, never started): do not retry."""


# Returns a short acknowledgement for a button press (a toast), or None.
EventSink = Callable[[Event], Awaitable[str | None]]


class Channel(Protocol):
    name: str
    limits: SendLimits
    capabilities: Capabilities

    async def start(self, on_event: EventSink) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, out: Outgoing) -> SentRef: ...


class EditingChannel(Channel, Protocol):
    """A channel whose `capabilities.edits` is true also offers this."""

    async def edit(self, out: Outgoing, message_id: str) -> None: ...


class ChannelUnavailable(Exception):
    """A configured channel cannot run here; `reason` picks the message shown to the user."""

    def __init__(self, channel: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{channel}: {reason} {detail}".strip())
        self.channel = channel
        # "unsupported" | "extra_missing" | "extra_broken" (installed, import fails) |
        # Telegram: "no_token" | "no_webhook_url" |
        # "rejected" | "unreachable" (the last two found only when connecting, at start)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class MenuItem:
    """One entry of the command menu a platform shows next to the input box. The kit builds
    the list from the command declarations; a channel only publishes it."""

    command: str  # ASCII, without '/'
    description: str
    in_groups: bool
    in_private: bool
