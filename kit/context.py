"""What a handler or a due job gets: the transaction, the templates and a way to answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.channel import Capabilities
from core.events import ChatKind, ChatRef, Event
from core.render import Renderer
from models import Identity, Person, SchoolClass
from services import identities, keys, outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork


@dataclass
class Messenger:
    """Renders templates and queues messages inside the current unit of work."""

    uow: UnitOfWork
    renderer: Renderer
    capabilities: Mapping[str, Capabilities] = field(default_factory=dict)

    def render(self, template: str, /, **values: object) -> str:
        return self.renderer.render(template, **values)

    async def send(self, draft: Draft) -> bool:
        return await outbox.enqueue(self.uow, draft)

    def group_nudges(self, channel: str) -> bool:
        """Whether reminders on this channel should be merged into one group @-message."""
        return self.capabilities.get(channel, Capabilities()).group_nudges

    def tz_of(self, school_class: SchoolClass | None) -> str:
        return school_class.timezone if school_class else self.uow.config.timezone


@dataclass
class Context(Messenger):
    """A handler's view of one incoming event."""

    event: Event | None = None
    identity: Identity | None = None
    person: Person | None = None
    school_class: SchoolClass | None = None
    roles: frozenset[str] = frozenset()
    # A button press is answered with a short toast, never a group message (no flooding):
    # what a handler replies in the group to a press lands here and the channel shows it.
    toast: str | None = None
    _answers: int = field(default=0, init=False)

    @property
    def tz(self) -> str:
        return self.tz_of(self.school_class)

    @property
    def channel_capabilities(self) -> Capabilities:
        """What the channel this event came from can do."""
        assert self.event is not None
        return self.capabilities.get(self.event.channel, Capabilities())

    def _key(self) -> str:
        assert self.event is not None
        self._answers += 1
        e = self.event
        return keys.reply(e.channel, e.chat.chat_id, e.message_id, self._answers)

    async def reply(self, template: str, /, *, private: bool = False,
                    **values: object) -> None:
        """Answer the asker: in the chat they wrote in, or privately (falls back with a hint)."""
        assert self.event is not None and self.identity is not None
        chat: ChatRef | None = self.event.chat
        if private:
            chat = identities.private_chat(self.identity)
            if chat is None:
                chat = self.event.chat
                template = "common/cannot_dm"
        text = self.render(template, **values)
        if self.event.action and chat.kind is ChatKind.GROUP and self.toast is None:
            self.toast = text
            return
        await self.send(Draft(chat=chat, text=text, kind=Kind.REPLY, dedupe_key=self._key(),
                              class_id=self.school_class.id if self.school_class else None))
