"""The Channel protocol and what the core needs to know about a channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

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
    # Sends whose outcome is open at any moment (sent, not yet recorded). A process killed with
    # -9 can resend at most this many messages twice, so 1 unless a channel's latency needs more.
    in_flight: int = 1

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
    # A sender's name is their account (the console's typed names): a name picks one person.
    # Everywhere else display names are chosen freely and a role needs an @-mention or reply.
    names_are_accounts: bool = False
    # Can send a local file (a chart as a picture, an export as a document) with a caption.
    files: bool = False
    # The platform echoes the bot's own messages back (EchoingChannel): an uncertain send can
    # be checked instead of repeated.
    echoes: bool = False


class SendError(Exception):
    """Base for delivery failures."""


class TransientSendError(SendError):
    """Worth retrying (network, 5xx, rate limited)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UncertainSendError(TransientSendError):
    """The request left but no answer came (a read timeout): the platform may have accepted it.

    The sender then checks for an echo where the channel can (`EchoingChannel`), retries at
    most once after `retry_after` seconds, and after a second unknown outcome counts the
    message as delivered: never three copies.
    """


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


class ChannelState(StrEnum):
    CONNECTING = "connecting"  # not logged in yet (never, or since the last drop)
    RUNNING = "running"  # logged in: messages come in and go out
    REACHABLE = "reachable"  # a one-off check: the gateway answered and took the token
    REJECTED = "rejected"  # the platform refused us (a wrong token): retrying will not help
    TLS_EXPECTED = "tls_expected"  # the endpoint speaks TLS, the channel plain gRPC
    UNREACHABLE = "unreachable"  # nothing answers at the endpoint
    ERROR = "error"  # anything else; `detail` says what


@dataclass(frozen=True)
class ChannelStatus:
    """Where a background connection stands, in the platform's own words where it gave any
    (`detail`, e.g. "UNAUTHENTICATED Invalid Wechaty TOKEN"): for stderr and `classbot check`."""

    state: ChannelState
    detail: str = ""
    endpoint: str = ""

    @property
    def running(self) -> bool:
        return self.state is ChannelState.RUNNING


@runtime_checkable
class ConnectingChannel(Protocol):
    """A channel that connects in the background after `start` (the WeChat gateway): it is
    running only once `wait_ready` returns, and `status()` says why it is not yet."""

    name: str

    async def wait_ready(self) -> None: ...

    def status(self) -> ChannelStatus: ...


class EditingChannel(Channel, Protocol):
    """A channel whose `capabilities.edits` is true also offers this."""

    async def edit(self, out: Outgoing, message_id: str) -> None: ...


class EchoingChannel(Channel, Protocol):
    """A channel whose platform shows the bot its own sent messages (WeChat puppets do): after
    an uncertain send it can tell whether the message went out after all."""

    def echo_mark(self) -> int:
        """A position in the echo log; `find_echo` looks only at echoes after it."""
        ...

    async def find_echo(self, out: Outgoing, mark: int, within: float) -> SentRef | None:
        """The sent message matching `out` seen since `mark`, waiting up to `within` seconds."""
        ...


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
