"""WeChat through a wechaty puppet service: the school brings the gateway, classbot connects.

The gateway (a WeCom- or WeChat-based "puppet service") speaks gRPC; python-wechaty is the
client. Everything platform-specific stays in this module and bot/channels/wechat_mapping.py:
decisions about payloads are pure functions there, and this module only does I/O — read SDK
objects, say things, keep the connection up. It uses only the SDK's public objects: importing
the SDK and everything past them (its caches, plugin manager, start-up steps) is in
wechaty_compat, the one place for SDK breakage (tests/test_wechat_setup.py keeps it so).

Connection: one long-lived session at a time; when the gateway's event stream ends or breaks,
the channel reconnects with exponential backoff (tenacity) for as long as the bot runs. While
disconnected `send` raises TransientSendError, so the outbox sender keeps the outbox rows and
retries them later: nothing queued is lost.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import mimetypes
from collections.abc import Mapping
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from bot.channels import wechat_status, wechaty_compat
from bot.channels.wechat_mapping import (
    CHANNEL,
    EchoLog,
    RawMembers,
    RawMessage,
    SentMemory,
    ignore_reason,
    members_event,
    split_quote,
    to_event,
    to_platform,
)
from core.channel import (
    Capabilities,
    ChannelState,
    ChannelStatus,
    ChannelUnavailable,
    EventSink,
    Rate,
    SendLimits,
    TransientSendError,
    UncertainSendError,
    UnreachableError,
)
from core.config import Config, WechatSettings, check_channels
from core.events import (
    ChatRef,
    Event,
    EventKind,
    FileUnavailable,
    InboundFile,
    Outgoing,
    SentRef,
    UserRef,
)

log = logging.getLogger(__name__)

# WeChat shows long texts fine, but a class group reads better in screen-sized parts.
MAX_LENGTH = 2000
CONNECT_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
TOKEN_ENV = "CLASSBOT_WECHAT_TOKEN"
# gRPC statuses that mean "this chat will never take the message", not "try again".
_UNREACHABLE = frozenset({"NOT_FOUND", "PERMISSION_DENIED", "FAILED_PRECONDITION"})


class StreamClosed(ConnectionError):
    """The gateway ended the event stream (restart, maintenance): reconnect."""


def _utc(timestamp: int | float | None) -> datetime:
    """Puppets send seconds or milliseconds since the epoch."""
    if not timestamp:
        return datetime.fromtimestamp(0, UTC)
    if timestamp > 1e11:
        timestamp /= 1000
    return datetime.fromtimestamp(timestamp, UTC)


class WechatChannel:
    name = CHANNEL

    def __init__(self, settings: WechatSettings, token: str | None) -> None:
        """Raises WechatyUnavailable when the `wechat` extra is not installed, and
        ChannelUnavailable("no_token") without a token for a gateway that is not on this
        machine (the token is what keeps others off the school's WeChat account)."""
        self._sdk: ModuleType = wechaty_compat.load()
        if not settings.endpoint:
            raise ValueError("wechat.endpoint is required")  # check_channels says it nicely
        if not token and not wechat_status.is_local(settings.endpoint):
            raise ChannelUnavailable(CHANNEL, "no_token", TOKEN_ENV)
        self.endpoint = settings.endpoint
        # Sent as :authority, which is where puppet services read the token; without one an
        # empty string (never the endpoint: a puppet service takes it for a wrong token).
        self.token = token or ""
        self.settings = settings
        self.limits = SendLimits(per_chat=Rate(1, settings.per_chat_seconds),
                                 overall=Rate(1, 60 / settings.per_minute),
                                 jitter_seconds=settings.jitter_seconds)
        self.capabilities = Capabilities(buttons=False, max_length=MAX_LENGTH,
                                         private_needs_contact=True, group_nudges=True,
                                         echoes=True)
        self.connections = 0  # sessions that reached login (logs, tests)
        self._sink: EventSink | None = None
        self._task: asyncio.Task[None] | None = None
        self._bot: Any = None
        self._self_id = ""
        self._self_name = ""
        self._ready = asyncio.Event()
        self._down = asyncio.Event()
        self._sent = SentMemory()
        self._status = ChannelStatus(ChannelState.CONNECTING, "", self.endpoint)
        self._settled = asyncio.Event()  # the first login or failure (wait_settled)
        self._echoes = EchoLog()
        self._echoed = asyncio.Event()

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, on_event: EventSink) -> None:
        """Returns at once; the connection is made (and remade) in the background."""
        self._sink = on_event
        self._task = asyncio.create_task(self._run(), name="wechat-connection")

    async def stop(self) -> None:
        # Cancel the session first: closing the SDK under a live stream would make it sleep
        # 60 s and restart on its own.
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._sink = None

    @property
    def ready(self) -> bool:
        """Connected and logged in: sends can go out now."""
        return self._bot is not None and self._ready.is_set()

    async def wait_ready(self) -> None:
        """Until the gateway reports the account logged in (tests, start-up logs)."""
        await self._ready.wait()

    def status(self) -> ChannelStatus:
        """Where the connection stands, in the gateway's own words (stderr, `classbot check`)."""
        return self._status

    def _set_status(self, status: ChannelStatus) -> None:
        self._status = status
        if status.state is not ChannelState.CONNECTING:
            self._settled.set()

    async def wait_settled(self) -> ChannelStatus:
        """Until the first login or the first failure: what a start-up check reports."""
        await self._settled.wait()
        return self._status

    async def wait_disconnected(self) -> None:
        """Until the current session ends (tests of the reconnect path)."""
        await self._down.wait()

    async def _run(self) -> None:
        settings = self.settings
        while True:
            async for attempt in AsyncRetrying(
                wait=wait_exponential(multiplier=settings.reconnect_min_seconds,
                                      min=settings.reconnect_min_seconds,
                                      max=settings.reconnect_max_seconds),
                retry=retry_if_exception_type(Exception),
                before_sleep=self._log_retry,
            ):
                with attempt:
                    await self._session()
            log.warning("wechat: the gateway closed the event stream; reconnecting")

    def _log_retry(self, state: RetryCallState) -> None:
        """The gateway's own status and message (`UNAUTHENTICATED Invalid Wechaty TOKEN`),
        not just the exception's class name."""
        wait = state.next_action.sleep if state.next_action else 0
        status = self._status
        log.warning("wechat: gateway %s %s: %s; reconnecting in %.1f s", status.endpoint,
                    status.state.value, status.detail, wait)

    async def _session(self) -> None:
        """One connection; a failure leaves its diagnosis in `status()` before it is raised."""
        try:
            await self._connected_session()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            tls = (wechat_status.may_be_tls(exc)
                   and await wechat_status.speaks_tls(self.endpoint))
            self._set_status(wechat_status.diagnose(exc, self.endpoint, tls=tls))
            raise

    async def _connected_session(self) -> None:
        """One connection, from connect to the end of the event stream."""
        host, _, port = self.endpoint.rpartition(":")
        # The SDK checks the endpoint with a blocking telnet; probing first, without blocking,
        # keeps a dead gateway from stalling the event loop for its 3 s timeout.
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)),
                                           CONNECT_TIMEOUT)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        bot = wechaty_compat.new_bot(self._sdk, _bot_class(self._sdk), self.endpoint,
                                     self.token)
        bot.classbot_channel = self
        await wechaty_compat.connect(bot, self.token)
        self._bot = bot
        try:
            await wechaty_compat.listen(bot)
        finally:
            self._bot = None
            self._ready.clear()
            self._down.set()
            if self._status.running:
                self._status = ChannelStatus(ChannelState.CONNECTING, "session ended",
                                             self.endpoint)
            with contextlib.suppress(Exception):  # a broken session may fail to close
                await asyncio.wait_for(wechaty_compat.disconnect(bot), STOP_TIMEOUT)
        raise StreamClosed("event stream ended")

    # --- incoming --------------------------------------------------------------------------

    async def on_login(self, contact: Any) -> None:
        self._self_id = contact.contact_id
        self._self_name = contact.name
        self.connections += 1
        self._down.clear()
        self._set_status(ChannelStatus(ChannelState.RUNNING, "logged in", self.endpoint))
        self._ready.set()
        log.info("wechat: logged in as %s (session %s)", self._self_id, self.connections)

    async def on_message(self, msg: Any) -> None:
        self._note_echo(msg)
        raw = await self._read_message(msg)
        reason = ignore_reason(raw)
        if reason is not None:
            log.info("wechat: message %s ignored: %s", raw.message_id, reason)
            return
        await self._hand_in(to_event(raw))

    def _note_echo(self, msg: Any) -> None:
        """The gateway shows the bot its own sent messages: remember them for `find_echo`."""
        payload = msg.payload
        if not self._self_id or payload is None or payload.from_id != self._self_id:
            return
        conversation = payload.room_id or payload.to_id
        self._echoes.add(conversation, payload.text or "", msg.message_id)
        self._echoed.set()

    async def on_members(self, kind: EventKind, room: Any, contacts: list[Any],
                         actor: Any, date: datetime | None) -> None:
        members = [c for c in contacts if c.contact_id != self._self_id]
        if len(members) < len(contacts):
            log.warning("wechat: the bot itself %s room %s", kind.value, room.room_id)
        raw = RawMembers(kind=kind, room_id=room.room_id, room_topic=await room.topic(),
                         members=tuple([await self._user(room, c) for c in members]),
                         actor=await self._user(room, actor) if actor else None,
                         occurred_at=(date or datetime.fromtimestamp(0)).astimezone(UTC))
        await self._hand_in(members_event(raw))

    async def _hand_in(self, event: Event | None) -> None:
        if event is None or self._sink is None:
            return
        await self._sink(event)

    async def _user(self, room: Any, contact: Any) -> UserRef:
        if not contact.is_ready():
            await contact.ready()
        alias = await room.alias(contact) if room is not None else None
        return UserRef(CHANNEL, contact.contact_id, alias or contact.name or contact.contact_id)

    async def _read_message(self, msg: Any) -> RawMessage:
        from wechaty_puppet import MessageType

        payload = msg.payload
        talker_id = payload.from_id
        from_self = bool(self._self_id) and talker_id == self._self_id
        room = msg.room()
        is_text = msg.type() == MessageType.MESSAGE_TYPE_TEXT
        is_file = msg.type() == MessageType.MESSAGE_TYPE_ATTACHMENT
        base = RawMessage(message_id=msg.message_id, is_text=is_text,
                          type_name=getattr(msg.type(), "name", str(msg.type())),
                          from_self=from_self, talker_id=talker_id, talker_name="",
                          text=payload.text or "", room_id=room.room_id if room else None,
                          room_topic="", mentions_self=False, self_names=(),
                          sent_at=_utc(payload.timestamp))
        if from_self or not (is_text or is_file):
            return base
        talker = await self._user(room, msg.talker())
        if is_file:
            return RawMessage(**{**base.__dict__, "talker_name": talker.display_name, "text": "",
                                 "file": self._inbound_file(msg)})
        mentions_self = bool(self._self_id) and self._self_id in (payload.mention_ids or [])
        quote = split_quote(base.text)
        self_names: tuple[str, ...] = ()
        if mentions_self or quote is not None:
            self_names = (self._self_name,)
            if room is not None:
                me = self._bot.Contact.load(self._self_id) if self._bot else None
                alias = await room.alias(me) if me is not None else None
                self_names += (alias,) if alias else ()
        # WeChat says whom an @ means (mentionIdList): that, not the name typed, picks a person
        # (#任课 @张老师 数学). A quote carries only a display name, so it picks nobody.
        mentioned = tuple([await self._user(room, self._bot.Contact.load(contact_id))
                           for contact_id in dict.fromkeys(payload.mention_ids or [])
                           if contact_id != self._self_id and self._bot is not None])
        reply_to = None
        if quote is not None and quote.name in self_names:
            reply_to = self._sent.find(room.room_id if room else talker_id, quote.quoted)
        return RawMessage(**{**base.__dict__, "talker_name": talker.display_name,
                             "room_topic": await room.topic() if room else "",
                             "mentions_self": mentions_self, "self_names": self_names,
                             "reply_to": reply_to, "mentioned": mentioned})

    def _inbound_file(self, msg: Any) -> InboundFile:
        """A file message's name and type now, its content (MessageFile RPC) when read. The
        puppet protocol announces no size: the reader checks what arrives."""
        name = getattr(msg.payload, "filename", "") or ""

        async def fetch() -> bytes:
            try:
                return await wechaty_compat.file_content(msg)
            except Exception as exc:  # gRPC, HTTP or an SDK error: the file cannot be had
                log.warning("wechat: file of message %s unavailable: %s", msg.message_id, exc)
                raise FileUnavailable(str(exc)) from exc

        return InboundFile(name=name, mime=mimetypes.guess_type(name)[0] or "", size=None,
                           fetch=fetch)

    # --- outgoing --------------------------------------------------------------------------

    def _connected(self) -> Any:
        if not self.ready:
            raise TransientSendError("WeChat gateway not connected")
        return self._bot

    async def send(self, out: Outgoing) -> SentRef:
        bot = self._connected()
        text = to_platform(out)
        if text.room:
            target = bot.Room.load(text.conversation_id)
            sent = await self._say(target.say(text.text, mention_ids=list(text.mention_ids)))
        else:
            target = bot.Contact.load(text.conversation_id)
            sent = await self._say(target.say(text.text))
        message_id = sent.message_id if sent is not None else ""
        self._sent.remember(text.conversation_id, message_id, out.text)
        return SentRef(message_id)

    def echo_mark(self) -> int:
        return self._echoes.seq

    async def find_echo(self, out: Outgoing, mark: int, within: float) -> SentRef | None:
        """Did `out` go out after all? Waits up to `within` seconds for the gateway's echo."""
        text = to_platform(out)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            found = self._echoes.find(text.conversation_id, text.text, mark)
            if found is not None:
                self._sent.remember(text.conversation_id, found, out.text)
                return SentRef(found)
            left = deadline - loop.time()
            if left <= 0:
                return None
            self._echoed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._echoed.wait(), left)

    async def send_file(self, chat: ChatRef, filename: str, content: bytes) -> SentRef:
        """A file (an export, a list) into a chat, as WeChat's own file message."""
        from wechaty_puppet import FileBox

        bot = self._connected()
        box = FileBox.from_base64(base64.b64encode(content), name=filename)
        loader = bot.Room if chat.kind.value == "group" else bot.Contact
        sent = await self._say(loader.load(chat.chat_id).say(box))
        return SentRef(sent.message_id if sent is not None else "")

    async def _say(self, call: Any) -> Any:
        """Run one SDK send, turning gRPC failures into what the outbox sender understands."""
        from grpclib.exceptions import GRPCError, StreamTerminatedError

        try:
            return await asyncio.wait_for(call, self.settings.send_timeout_seconds)
        except TimeoutError as exc:  # the request left; the gateway may have sent it
            raise UncertainSendError("no answer from the gateway",
                                     retry_after=self.settings.echo_wait_seconds) from exc
        except GRPCError as exc:
            if exc.status.name in _UNREACHABLE:
                raise UnreachableError(f"{exc.status.name}: {exc.message}") from exc
            if exc.status.name == "DEADLINE_EXCEEDED":
                raise UncertainSendError(f"{exc.status.name}: {exc.message}",
                                         retry_after=self.settings.echo_wait_seconds) from exc
            raise TransientSendError(f"{exc.status.name}: {exc.message}") from exc
        except (StreamTerminatedError, OSError) as exc:
            raise TransientSendError(type(exc).__name__) from exc


def _bot_class(sdk: ModuleType) -> type:
    """The SDK wants subclassing; the subclass only forwards to the channel."""

    class ClassbotWechaty(sdk.Wechaty):  # type: ignore[misc,name-defined]
        classbot_channel: WechatChannel

        async def on_login(self, contact: Any) -> None:
            await _guard("login", self.classbot_channel.on_login(contact))

        async def on_message(self, msg: Any) -> None:
            await _guard(f"message {msg.message_id}", self.classbot_channel.on_message(msg))

        async def on_room_join(self, room: Any, invitees: list[Any], inviter: Any,
                               date: datetime) -> None:
            await _guard(f"room-join {room.room_id}", self.classbot_channel.on_members(
                EventKind.MEMBER_JOINED, room, invitees, inviter, date))

        async def on_room_leave(self, room: Any, leavers: list[Any], remover: Any,
                                date: datetime) -> None:
            await _guard(f"room-leave {room.room_id}", self.classbot_channel.on_members(
                EventKind.MEMBER_LEFT, room, leavers, remover, date))

    return ClassbotWechaty


async def _guard(what: str, work: Any) -> None:
    """The SDK swallows handler errors; log them with context instead (ids, never bodies)."""
    try:
        await work
    except Exception:
        log.exception("wechat: handling %s failed", what)


def _wechat(config: Config, env: Mapping[str, str]) -> WechatChannel:
    """The channel from config (settings, endpoint) and env (CLASSBOT_WECHAT_TOKEN)."""
    check_channels(config)
    return WechatChannel(config.wechat, env.get(TOKEN_ENV) or None)


async def check_gateway(settings: WechatSettings, token: str | None,
                        wait: float = 10.0) -> ChannelStatus:
    """One look at the gateway without opening its event stream (which a running bot holds:
    a second stream could take its messages): reachable, plain gRPC or TLS, and whether it
    takes the token, in its own words. For `classbot check`; RPC stubs from the SDK's own
    gRPC package, no session."""
    endpoint = settings.endpoint or ""
    if not endpoint:
        return ChannelStatus(ChannelState.ERROR, "wechat.endpoint is not set", endpoint)
    if not token and not wechat_status.is_local(endpoint):
        return ChannelStatus(ChannelState.REJECTED, f"{TOKEN_ENV} is not set", endpoint)
    try:
        await asyncio.wait_for(wechaty_compat.ding(endpoint, token or ""), wait)
    except Exception as exc:
        tls = wechat_status.may_be_tls(exc) and await wechat_status.speaks_tls(endpoint)
        return wechat_status.diagnose(exc, endpoint, tls=tls)
    return ChannelStatus(ChannelState.REACHABLE, "the gateway answered and took the token",
                         endpoint)
