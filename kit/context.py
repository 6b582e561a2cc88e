"""What a handler or a due job gets: the transaction, the templates and a way to answer.

A `Messenger` is what every piece of work has (commands and due jobs alike): render, queue,
and a `cause` that keys what it queues. An incoming message adds the event and the sender
(`Context`); what else is certain follows from the declaration being run (kit/router.py), and
the pipeline hands the handler the matching type, so no handler has to narrow optional fields:

| declaration                         | context         | guaranteed                  |
|-------------------------------------|-----------------|-----------------------------|
| guests admitted, no class needed    | `Context`       | event, account              |
| guests not admitted, no class       | `PersonContext` | + the sender as a person    |
| guests admitted, needs a class      | `ClassContext`  | + the class                 |
| guests not admitted, needs a class  | `MemberContext` | + person and class          |
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from core.channel import Capabilities
from core.events import ChatKind, Event
from core.render import Renderer
from models import Identity, Person, SchoolClass
from services import answering, identities, keys, outbox
from services.outbox import Draft, Kind
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


class Declarations(Protocol):
    """What a context needs of the command table (kit.router.CommandTable); a protocol so the
    context does not import the router that dispatches to it."""

    def by_name(self, name: str) -> Any: ...

    def visible_to(self, roles: frozenset[str]) -> Any: ...


@dataclass
class Messenger:
    """Renders templates and queues messages inside the current unit of work."""

    uow: UnitOfWork
    renderer: Renderer
    capabilities: Mapping[str, Capabilities] = field(default_factory=dict)
    # What this work answers: "<channel>:<message id>" for a message, "job:<id>" for a due job.
    # Queued messages that must be unique per cause put it in their dedupe key.
    cause: str = ""

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
class Replies:
    """What the bot has answered to one incoming message so far, shared by its contexts."""

    count: int = 0
    # A button press is answered with a short toast, never a group message (no flooding):
    # what a handler replies in the group to a press lands here and the channel shows it.
    toast: str | None = None


@dataclass(kw_only=True)
class Context(Messenger):
    """A handler's view of one incoming message: the event and the sender's account are sure;
    the person and the class only where the declaration says so (see the subclasses)."""

    event: Event
    identity: Identity
    table: Declarations  # the declarations: #帮助 lists them, usage lines name them
    person: Person | None = None
    school_class: SchoolClass | None = None
    roles: frozenset[str] = frozenset()
    replies: Replies = field(default_factory=Replies)
    # The sender is in several classes: a private reply starts with the class it is about.
    label_class: bool = False

    def __post_init__(self) -> None:
        self.cause = self.cause or f"{self.event.channel}:{self.event.message_id}"

    @property
    def toast(self) -> str | None:
        return self.replies.toast

    @property
    def tz(self) -> str:
        return self.tz_of(self.school_class)

    @property
    def channel_capabilities(self) -> Capabilities:
        """What the channel this event came from can do."""
        return self.capabilities.get(self.event.channel, Capabilities())

    def declared(self, name: str) -> Any:
        """A command's declaration, for templates that show its usage line."""
        return self.table.by_name(name)

    async def reply_usage(self, command: str) -> None:
        """The usage line (and example) of a declared command, e.g. after a malformed letter."""
        await self.reply("common/usage", command=self.declared(command))

    def _key(self) -> str:
        self.replies.count += 1
        e = self.event
        return keys.reply(e.channel, e.chat.chat_id, e.message_id, self.replies.count)

    async def reply(self, template: str, /, *, private: bool = False, note: str = "",
                    kept: Hashable | None = None, **values: object) -> None:
        """Answer the asker: in the chat they wrote in, or privately (falls back with a hint).
        `note`: a line added under the text (a question it replaces, kit/conversation.py);
        `kept`: the text depends on this key alone, render it once (Renderer.render_kept)."""
        chat = self.event.chat
        if private:
            own = identities.private_chat(self.identity)
            if own is None:
                template = "common/cannot_dm"
            else:
                chat = own
        text = (self.renderer.render_kept(template, kept, **values) if kept is not None
                else self.render(template, **values))
        if note:
            text = f"{text}\n{note}"
        if self.label_class and self.school_class is not None and chat.kind is ChatKind.PRIVATE:
            label = self.render("common/class_label", name=self.school_class.name)
            text = f"{label}{text}" if label.endswith("】") else f"{label} {text}"
        if self.event.action and chat.kind is ChatKind.GROUP and self.replies.toast is None:
            self.replies.toast = text
            return
        await self.send(Draft(chat=chat, text=text, kind=Kind.REPLY, dedupe_key=self._key(),
                              class_id=self.school_class.id if self.school_class else None))


@dataclass(kw_only=True)
class PersonContext(Context):
    """The sender is a known person: the declaration does not admit guests."""

    person: Person

    async def answering_classes(self) -> list[int]:
        """The classes a family's answer can be about: the group's class; in a private chat
        every class the person is a guardian in (one 收到 resolves across two children)."""
        if self.event.chat.kind is not ChatKind.PRIVATE:
            return [self.school_class.id] if self.school_class is not None else []
        return await answering.guardian_classes(self.uow, self.person.id)

    async def tell_quietly(self, template: str, /, **values: object) -> bool:
        """Privately to the sender (from the group too): an answer's confirmation or question
        must never become a group message. False when the platform does not let the bot
        write to them first (then nothing is said)."""
        if self.event.chat.kind is ChatKind.PRIVATE or self.event.action:
            await self.reply(template, **values)
            return True
        if identities.private_chat(self.identity) is None:
            log.info("%s not sent: person %s cannot be told privately", template, self.person.id)
            return False
        await self.reply(template, private=True, **values)
        return True


@dataclass(kw_only=True)
class ClassContext(Context):
    """The message is about one class (the group's, or the sender's only one); guests may be
    the sender (#登记)."""

    school_class: SchoolClass


@dataclass(kw_only=True)
class MemberContext(PersonContext, ClassContext):
    """A known person acting in one class: what most commands get."""


@dataclass(kw_only=True)
class ChatEventContext(Messenger):
    """Someone joined or left a group bound to a class: no sender to answer, a class to act in."""

    event: Event
    school_class: SchoolClass


C = TypeVar("C", bound=Context)


def context_type(*, person: bool, school_class: bool) -> type[Context]:
    """The context a declaration guarantees (see the table at the top)."""
    if person:
        return MemberContext if school_class else PersonContext
    return ClassContext if school_class else Context


class MissingContext(RuntimeError):
    """The pipeline's guards let through an event its declaration cannot be given (a bug)."""


def narrow(base: Context, kind: type[C]) -> C:
    """The same event as `kind`, after checking that what `kind` guarantees is really there."""
    if issubclass(kind, PersonContext) and base.person is None:
        raise MissingContext(f"{kind.__name__} without a person")
    if issubclass(kind, ClassContext) and base.school_class is None:
        raise MissingContext(f"{kind.__name__} without a class")
    return kind(**{name: getattr(base, name) for name in _context_fields()})


@functools.cache
def _context_fields() -> tuple[str, ...]:
    """What a narrowed context copies (read once: `fields()` walks the class every call)."""
    return tuple(f.name for f in fields(Context) if f.init)
