"""A fake wechaty puppet service: the gRPC API a WeChat gateway offers, on 127.0.0.1.

The real python-wechaty SDK connects to it as it would to a school's gateway. It speaks just the
RPCs the SDK uses for a class group bot: Start, Stop, Ding, the Event stream, Contact/Room/
RoomMember/Message payloads, MessageFile (the content of a file someone sent: `send_file`)
and MessageSendText/File. Tests script people (`say`, `send_file`, `join`,
`leave`) and read what the bot sent (`sent`, with the fake's own monotonic time of arrival).
With `token` set it checks every call's token as the official puppet service does, answering
a wrong one with `UNAUTHENTICATED Invalid Wechaty TOKEN`; `authorities` records what came.

Wire details the real gateways share: message `type` uses the TypeScript wechaty-puppet
numbering (Text = 7, not the gRPC enum's 6); the SDK calls Stop before Start; the token arrives
as the HTTP/2 :authority. Events emitted while no stream is open wait for
the next one, and an event whose delivery broke is delivered again — like a gateway that buffers.
Timestamps count from a fixed instant (FIRST_STAMP), so no test depends on the machine's date.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import grpclib.server
from grpclib.const import Cardinality, Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream
from wechaty_grpc.wechaty import puppet as pb

from tests.fault_picking import SeededFaults

TEXT = 7  # TypeScript wechaty-puppet MessageType.Text
ATTACHMENT = 1
IMAGE = 6
AT = "\u2005"
# What the gateway stamps on messages and room events: 2026-12-01 09:00 in Shanghai (where the
# tests' simulated clock starts), one second more for each, never the machine's date.
FIRST_STAMP = 1_796_086_800


PUPPET_FAULTS = ("exhausted", "unavailable", "timeout_before", "timeout_after")


@dataclass
class PuppetFaults(SeededFaults):
    """What goes wrong with `rate` of MessageSendText calls, chosen by a seeded generator:
    "exhausted" (RESOURCE_EXHAUSTED, a gateway's rate limit) and "unavailable" (UNAVAILABLE)
    are refused; "timeout_before" hangs `hang_seconds` without sending, "timeout_after" sends
    (and echoes) first, then hangs."""

    rate: float
    kinds: tuple[str, ...] = PUPPET_FAULTS
    seed: int = 16
    hang_seconds: float = 1.0
    injected: list[tuple[str, str]] = field(default_factory=list)  # (kind, conversation)

    def __post_init__(self) -> None:
        self._seed()


@dataclass
class SentMessage:
    kind: str  # "text" | "file"
    conversation_id: str
    text: str
    mention_ids: list[str]
    filebox: dict[str, Any] | None
    at: float  # time.monotonic() when the fake received it
    message_id: str


@dataclass
class Room:
    topic: str
    members: list[str]
    aliases: dict[str, str] = field(default_factory=dict)


class FakePuppet:
    def __init__(self, self_id: str = "bot-self", self_name: str = "班级助手",
                 token: str | None = None) -> None:
        self.token = token  # None: any token is taken
        self.authorities: list[str] = []  # the :authority of every call, in order
        self.self_id = self_id
        self.contacts: dict[str, str] = {self_id: self_name}
        self.rooms: dict[str, Room] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # message id → (file name, content)
        self.file_requests: list[str] = []  # message ids whose file the bot fetched
        self.sent: list[SentMessage] = []
        self.calls: list[str] = []
        self.streams = 0  # event streams opened so far
        self.stream_open = asyncio.Event()
        self.auto_login = True
        # Real gateways show the bot its own messages as message events (the echo the channel
        # checks after a send timed out).
        self.echo_sends = True
        self.faults: PuppetFaults | None = None
        self._send_failures: deque[Status] = deque()
        self._events: deque[tuple[int, str]] = deque()
        self._wake = asyncio.Event()
        self._sent_changed = asyncio.Event()
        self._stop_stream: asyncio.Event | None = None
        self._prefix = uuid.uuid4().hex[:6]  # message ids are de-duplicated process-wide
        self._ids = itertools.count(1)
        self._stamps = itertools.count(FIRST_STAMP)

    # --- the scripted world ----------------------------------------------------------------

    def person(self, contact_id: str, name: str) -> str:
        self.contacts[contact_id] = name
        return contact_id

    def room(self, room_id: str, topic: str, members: Iterable[str]) -> str:
        self.rooms[room_id] = Room(topic, [self.self_id, *members])
        return room_id

    def name_of(self, contact_id: str) -> str:
        return self.contacts.get(contact_id, contact_id)

    def _emit(self, kind: pb.EventType, payload: dict[str, Any]) -> None:
        self._events.append((int(kind), json.dumps(payload, ensure_ascii=False)))
        self._wake.set()

    def emit_login(self) -> None:
        self._emit(pb.EventType.EVENT_TYPE_LOGIN, {"contactId": self.self_id})

    def say(self, talker: str, text: str, *, room: str | None = None,
            mention: Iterable[str] = (), msg_type: int = TEXT) -> str:
        """`talker` writes `text` into `room` (or privately to the bot); @-mentions are written
        into the text the way WeChat does (`@name` + thin space) and listed as ids; one the
        text already carries (`#任课 @张老师 数学`) stays where it is written."""
        mention = list(mention)
        prefix = "".join(f"@{self._alias(room, m)}{AT}" for m in mention
                         if f"@{self._alias(room, m)}" not in text)
        message_id = f"{self._prefix}-m{next(self._ids)}"
        self.messages[message_id] = {
            "id": message_id, "text": prefix + text, "type": msg_type, "from_id": talker,
            "room_id": room or "", "to_id": "" if room else self.self_id,
            "mention_ids": mention, "timestamp": next(self._stamps)}
        self._emit(pb.EventType.EVENT_TYPE_MESSAGE, {"messageId": message_id})
        return message_id

    def send_file(self, talker: str, name: str, data: bytes, *, room: str | None = None) -> str:
        """`talker` sends a file (WeChat's 文件 message, type Attachment): the payload names it,
        MessageFile hands its content over as a base64 file box."""
        message_id = f"{self._prefix}-f{next(self._ids)}"
        self.messages[message_id] = {
            "id": message_id, "text": "", "filename": name, "type": ATTACHMENT,
            "from_id": talker, "room_id": room or "", "to_id": "" if room else self.self_id,
            "mention_ids": [], "timestamp": next(self._stamps)}
        self.files[message_id] = (name, data)
        self._emit(pb.EventType.EVENT_TYPE_MESSAGE, {"messageId": message_id})
        return message_id

    def quote(self, talker: str, quoted: SentMessage, reply: str, *, room: str) -> str:
        """A WeChat 引用 (quoted reply) of one of the bot's messages, as puppets deliver it."""
        text = f"「{self.name_of(self.self_id)}：{quoted.text}」\n- - - - - - - - - - - - - - -\n"
        return self.say(talker, text + reply, room=room)

    def _alias(self, room: str | None, contact_id: str) -> str:
        if room and contact_id in self.rooms[room].aliases:
            return self.rooms[room].aliases[contact_id]
        return self.name_of(contact_id)

    def join(self, room: str, invitees: list[str], inviter: str) -> None:
        self.rooms[room].members.extend(invitees)
        self._emit(pb.EventType.EVENT_TYPE_ROOM_JOIN, {
            "roomId": room, "inviteeIdList": invitees, "inviterId": inviter,
            "timestamp": next(self._stamps)})

    def leave(self, room: str, leavers: list[str], remover: str) -> None:
        self.rooms[room].members = [m for m in self.rooms[room].members if m not in leavers]
        self._emit(pb.EventType.EVENT_TYPE_ROOM_LEAVE, {
            "roomId": room, "removeeIdList": leavers, "removerId": remover,
            "timestamp": next(self._stamps)})

    def fail_sends(self, *statuses: Status) -> None:
        """The next sends are refused with these gRPC statuses."""
        self._send_failures.extend(statuses)

    # --- reading what the bot did ----------------------------------------------------------

    async def wait_sent(self, count: int, within: float = 15) -> list[SentMessage]:
        """Until at least `count` messages were sent in total; returns them all."""
        async def enough() -> None:
            while len(self.sent) < count:
                self._sent_changed.clear()
                await self._sent_changed.wait()

        await asyncio.wait_for(enough(), within)
        return self.sent

    def texts_to(self, conversation_id: str) -> list[str]:
        return [s.text for s in self.sent if s.conversation_id == conversation_id]

    # --- RPCs ------------------------------------------------------------------------------

    async def Start(self, request: pb.StartRequest) -> pb.StartResponse:
        return pb.StartResponse()

    async def Stop(self, request: pb.StopRequest) -> pb.StopResponse:
        if self._stop_stream is not None:  # the SDK calls Stop before Start: only a live one
            self._stop_stream.set()
        return pb.StopResponse()

    async def Ding(self, request: pb.DingRequest) -> pb.DingResponse:
        return pb.DingResponse()

    async def ContactPayload(self, request: pb.ContactPayloadRequest
                             ) -> pb.ContactPayloadResponse:
        return pb.ContactPayloadResponse(id=request.id, name=self.name_of(request.id),
                                         friend=True,
                                         type=pb.ContactType.CONTACT_TYPE_PERSONAL)

    async def RoomPayload(self, request: pb.RoomPayloadRequest) -> pb.RoomPayloadResponse:
        room = self.rooms[request.id]
        return pb.RoomPayloadResponse(id=request.id, topic=room.topic, member_ids=room.members,
                                      owner_id=self.self_id)

    async def RoomMemberList(self, request: pb.RoomMemberListRequest
                             ) -> pb.RoomMemberListResponse:
        return pb.RoomMemberListResponse(member_ids=self.rooms[request.id].members)

    async def RoomMemberPayload(self, request: pb.RoomMemberPayloadRequest
                                ) -> pb.RoomMemberPayloadResponse:
        room = self.rooms.get(request.id)
        alias = room.aliases.get(request.member_id, "") if room else ""
        return pb.RoomMemberPayloadResponse(id=request.member_id,
                                            name=self.name_of(request.member_id),
                                            room_alias=alias)

    async def MessagePayload(self, request: pb.MessagePayloadRequest
                             ) -> pb.MessagePayloadResponse:
        return pb.MessagePayloadResponse(**self.messages[request.id])

    def _record(self, kind: str, conversation_id: str, text: str, mention_ids: list[str],
                filebox: dict[str, Any] | None) -> str:
        if self._send_failures:
            raise GRPCError(self._send_failures.popleft(), "refused by the fake gateway")
        message_id = f"{self._prefix}-s{next(self._ids)}"
        room = conversation_id in self.rooms
        self.messages[message_id] = {
            "id": message_id, "text": text, "type": TEXT if kind == "text" else ATTACHMENT,
            "from_id": self.self_id, "room_id": conversation_id if room else "",
            "to_id": "" if room else conversation_id, "mention_ids": mention_ids,
            "timestamp": next(self._stamps)}
        self.sent.append(SentMessage(kind, conversation_id, text, mention_ids, filebox,
                                     time.monotonic(), message_id))
        self._sent_changed.set()
        if self.echo_sends:
            self._emit(pb.EventType.EVENT_TYPE_MESSAGE, {"messageId": message_id})
        return message_id

    async def MessageSendText(self, request: pb.MessageSendTextRequest
                              ) -> pb.MessageSendTextResponse:
        fault = self.faults.pick() if self.faults else None
        if fault is not None:
            assert self.faults is not None
            self.faults.injected.append((fault, request.conversation_id))
            if fault == "exhausted":
                raise GRPCError(Status.RESOURCE_EXHAUSTED, "too many messages")
            if fault == "unavailable":
                raise GRPCError(Status.UNAVAILABLE, "gateway busy")
            if fault == "timeout_before":
                await asyncio.sleep(self.faults.hang_seconds)
                raise GRPCError(Status.UNAVAILABLE, "gave up")
        message_id = self._record("text", request.conversation_id, request.text,
                                  list(request.mentonal_ids), None)
        if fault == "timeout_after":
            assert self.faults is not None
            await asyncio.sleep(self.faults.hang_seconds)
        return pb.MessageSendTextResponse(id=message_id)

    async def MessageFile(self, request: pb.MessageFileRequest) -> pb.MessageFileResponse:
        if request.id not in self.files:
            raise GRPCError(Status.NOT_FOUND, f"message {request.id} has no file")
        name, data = self.files[request.id]
        self.file_requests.append(request.id)
        box = {"boxType": 1, "name": name, "base64": base64.b64encode(data).decode()}
        return pb.MessageFileResponse(filebox=json.dumps(box))

    async def MessageSendFile(self, request: pb.MessageSendFileRequest
                              ) -> pb.MessageSendFileResponse:
        message_id = self._record("file", request.conversation_id, "", [],
                                  json.loads(request.filebox))
        return pb.MessageSendFileResponse(id=message_id)

    async def _event_stream(self, stream: Stream) -> None:
        await stream.recv_message()
        stop = self._stop_stream = asyncio.Event()
        self.streams += 1
        self.stream_open.set()
        if self.auto_login:
            self.emit_login()
        try:
            while not stop.is_set():
                if not self._events:
                    self._wake.clear()
                    waiters = [asyncio.ensure_future(self._wake.wait()),
                               asyncio.ensure_future(stop.wait())]
                    try:
                        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        for waiter in waiters:
                            waiter.cancel()
                    continue
                kind, payload = self._events[0]
                await stream.send_message(pb.EventResponse(type=kind, payload=payload))
                self._events.popleft()  # only once it went out: a broken stream loses nothing
        finally:
            if self._stop_stream is stop:
                self._stop_stream = None
                self.stream_open.clear()

    # --- grpclib plumbing ------------------------------------------------------------------

    def _unary(self, name: str, rpc: Callable[[Any], Any]) -> Callable[[Stream], Any]:
        async def handle(stream: Stream) -> None:
            request = await stream.recv_message()
            self.calls.append(name)
            await stream.send_message(await rpc(request))
        return handle

    def __mapping__(self) -> dict[str, Handler]:
        unary = {
            "Start": (pb.StartRequest, pb.StartResponse),
            "Stop": (pb.StopRequest, pb.StopResponse),
            "Ding": (pb.DingRequest, pb.DingResponse),
            "ContactPayload": (pb.ContactPayloadRequest, pb.ContactPayloadResponse),
            "RoomPayload": (pb.RoomPayloadRequest, pb.RoomPayloadResponse),
            "RoomMemberList": (pb.RoomMemberListRequest, pb.RoomMemberListResponse),
            "RoomMemberPayload": (pb.RoomMemberPayloadRequest, pb.RoomMemberPayloadResponse),
            "MessagePayload": (pb.MessagePayloadRequest, pb.MessagePayloadResponse),
            "MessageSendText": (pb.MessageSendTextRequest, pb.MessageSendTextResponse),
            "MessageSendFile": (pb.MessageSendFileRequest, pb.MessageSendFileResponse),
            "MessageFile": (pb.MessageFileRequest, pb.MessageFileResponse),
        }
        mapping = {f"/wechaty.Puppet/{name}": Handler(self._unary(name, getattr(self, name)),
                                                      Cardinality.UNARY_UNARY, req, resp)
                   for name, (req, resp) in unary.items()}
        mapping["/wechaty.Puppet/Event"] = Handler(self._event_stream, Cardinality.UNARY_STREAM,
                                                   pb.EventRequest, pb.EventResponse)
        return mapping


# grpclib hands a handler no pseudo-headers, so the token (:authority) is checked where the
# request's headers still are: around grpclib's request handler, for the servers made here.
_PUPPETS: dict[int, FakePuppet] = {}
_request_handler = grpclib.server.request_handler


async def _checking_request_handler(mapping: Any, h2_stream: Any, headers: Any,
                                    *rest: Any) -> None:
    puppet = _PUPPETS.get(id(mapping))
    if puppet is not None:
        authority = dict(headers).get(":authority", "")
        puppet.authorities.append(authority)
        if puppet.token is not None and authority != puppet.token:
            release_stream = rest[-1]
            try:
                # a trailers-only answer, as the official puppet service gives it
                await h2_stream.send_headers([
                    (":status", "200"), ("content-type", "application/grpc+proto"),
                    ("grpc-status", str(Status.UNAUTHENTICATED.value)),
                    ("grpc-message", "Invalid Wechaty TOKEN")], end_stream=True)
            finally:
                release_stream()
            return
    await _request_handler(mapping, h2_stream, headers, *rest)


grpclib.server.request_handler = _checking_request_handler  # type: ignore[assignment]


class _Server(Server):
    """grpclib's Server.close() cancels handlers but leaves connections open; a gateway that
    goes down drops them, so the fake keeps its transports to close them."""

    def __init__(self, handlers: list[Any]) -> None:
        super().__init__(handlers)
        self.protocols: list[Any] = []

    def _protocol_factory(self) -> Any:
        protocol = super()._protocol_factory()
        self.protocols.append(protocol)
        return protocol

    def drop_connections(self) -> None:
        for protocol in self.protocols:
            connection = getattr(protocol, "connection", None)
            if connection is not None:
                connection.close()


class PuppetServer:
    """The fake on a loopback port that survives restarts (a gateway going down and up)."""

    def __init__(self, puppet: FakePuppet) -> None:
        self.puppet = puppet
        self.port = 0
        self._server: _Server | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> PuppetServer:
        server = _Server([self.puppet])
        _PUPPETS[id(server._mapping)] = self.puppet
        await server.start("127.0.0.1", self.port)
        sockets = server._server.sockets if server._server else ()
        self.port = sockets[0].getsockname()[1]
        self._server = server
        return self

    async def stop(self) -> None:
        """Down hard: open streams break, new connections are refused."""
        if self._server is not None:
            self._server.close()
            self._server.drop_connections()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            _PUPPETS.pop(id(self._server._mapping), None)
            self._server = None
