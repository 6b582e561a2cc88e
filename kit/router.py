"""Commands and phrases, matched purely from text; one routing table built from all features.

Each feature module declares a `Router` (its commands, phrases and due-job kinds); the list of
routers lives in handlers/__init__.py, so nothing registers itself as an import side effect.

A declaration is the one place a command lives: its words, slash form, argument type, where it
may be used and who may use it (`roles`). Routing, the pipeline's permission check, #帮助 and
the platforms' `/` menus all read the declarations; the templates only add the words people
read (templates/<lang>/_commands.j2). The declaration also decides which context its handler
gets (kit/context.py); the table checks each handler's annotation against it at start-up.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from core.permissions import GUEST, ROLES
from kit.context import ChatEventContext, Context, Messenger, context_type
from kit.conversation import Question, expire_questions
from models import ScheduledJob
from services.questions import EXPIRY_JOB

log = logging.getLogger(__name__)


class Scope(StrEnum):
    GROUP = "group"
    PRIVATE = "private"
    ANY = "any"


class UsageError(ValueError):
    """The arguments do not fit; the user gets the command's usage line."""


class Args(BaseModel):
    """A command's arguments; subclasses turn the text after the command word into fields."""

    @classmethod
    def from_text(cls, rest: str) -> Args:
        if rest.strip():
            raise UsageError("this command takes no arguments")
        return cls()


MAX_NUMBER_DIGITS = 30  # longer is no item number but noise (and would be echoed back)


class NumberArgs(Args):
    """An optional item number (`#未读 3`, `#考勤 2`); without it the handler picks the latest."""

    number: int | None = Field(default=None, ge=1)

    @classmethod
    def from_text(cls, rest: str) -> NumberArgs:
        rest = rest.strip().lstrip("#＃").strip()
        if not rest:
            return cls()
        if not rest.isdecimal():  # isdigit() admits "²", which int() refuses
            raise UsageError("the number must be digits")
        if len(rest) > MAX_NUMBER_DIGITS:
            raise UsageError("the number is too long")
        # Any size that fits is kept: one no row can have is "not found" (models.base.storable).
        return cls(number=int(rest))


class NameArgs(Args):
    """A person's or a child's name as people write it (`#移除 李明奶奶`, `#移交 @李老师`)."""

    name: str = Field(min_length=1, max_length=20)

    @classmethod
    def from_text(cls, rest: str) -> NameArgs:
        return cls(name=rest.replace("@", " ").strip())


# A handler takes the context its declaration guarantees (a subclass of Context) and the parsed
# arguments; CommandTable checks the first parameter's annotation against the declaration.
Handler = Callable[[Any, Any], Awaitable[None]]
FallbackHandler = Callable[[Any], Awaitable[None]]
RefusalHandler = Callable[[Context], Awaitable[bool]]
EventHandler = Callable[[ChatEventContext, Any], Awaitable[None]]
JobHandler = Callable[[Messenger, ScheduledJob], Awaitable[None]]
LookupHandler = Callable[[Any, Any], Awaitable[None]]


class PhraseMatcher(Protocol):
    def __call__(self, text: str) -> bool: ...


@dataclass(frozen=True, kw_only=True)
class Declaration:
    """Where something may be used and who may use it; part of every command and phrase."""

    roles: frozenset[str]  # core.permissions role names; GUEST admits people not registered
    scope: Scope = Scope.ANY
    needs_class: bool = True

    def allows(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    @property
    def allowed_roles(self) -> list[str]:
        """The declared roles in the vocabulary's order (what a refusal names)."""
        return [r for r in ROLES if r in self.roles]

    @property
    def context(self) -> type[Context]:
        """What the handler is sure to get: a person unless guests are admitted (a guest is
        anyone the bot cannot name), a class when the declaration needs one."""
        return context_type(person=GUEST not in self.roles, school_class=self.needs_class)


@dataclass(frozen=True)
class Command(Declaration):
    name: str  # the key of its help/usage words in templates/<lang>/_commands.j2
    words: tuple[str, ...]  # Chinese keywords: #通知, 通知 …, @班级助手 通知
    slash: tuple[str, ...]  # ASCII: /notice (Telegram needs ASCII)
    handler: Handler
    args: type[Args] = Args
    bare: bool = True  # False: only "#word" or "/slash" (the word is also everyday chatter)
    # Letters (privacy): in a private chat, a command whose text names a mailbox letter
    # (X-0001 …) is a lookup of the sender's own letter (Router.letter_lookup), never text
    # sent on — unless it resolves the code itself among the letters its sender may see.
    own_code: bool = False
    letter_numbers: bool = False  # a bare number as the whole text means a letter too (#信箱 1)
    # What a sender the roles do not admit gets instead of the plain refusal, when it has
    # something better to say (#绑定 in a bound group: who owns it); False: the refusal.
    refused: RefusalHandler | None = None


def private_command(name: str, words: tuple[str, ...], slash: tuple[str, ...],
                    handler: Handler, args: type[Args] = Args, *,
                    roles: frozenset[str], own_code: bool = False,
                    letter_numbers: bool = False) -> Command:
    """A command only for the private chat, about no particular class (mailbox, relay): the
    class comes from the sender, and the word must be written as #word or /slash."""
    return Command(name, words, slash, handler, args, roles=roles, scope=Scope.PRIVATE,
                   needs_class=False, bare=False, own_code=own_code,
                   letter_numbers=letter_numbers)


@dataclass(frozen=True)
class Phrase(Declaration):
    """Plain words that act without a command word (收到, 好的 …)."""

    name: str
    matches: PhraseMatcher
    handler: Handler


@dataclass(frozen=True)
class Fallback(Declaration):
    """What a private message that is no command (and answers no question) gets. Of the
    fallbacks whose roles admit the sender, the narrowest declaration wins."""

    name: str
    handler: FallbackHandler
    scope: Scope = field(default=Scope.PRIVATE, kw_only=True)
    needs_class: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class Router:
    commands: tuple[Command, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    jobs: Mapping[str, JobHandler] = field(default_factory=dict)
    fallbacks: tuple[Fallback, ...] = ()
    # Questions its handlers ask (kit/conversation.py); the pipeline hands them their answers.
    questions: tuple[Question, ...] = ()
    # Non-message events (EventKind value → handler(ctx, members)), e.g. a member joined.
    events: Mapping[str, EventHandler] = field(default_factory=dict)
    # handler(PersonContext, LetterRef): what a private message naming a letter gets (one
    # router declares it: the mailbox).
    letter_lookup: LookupHandler | None = None


@dataclass(frozen=True)
class Match:
    target: Command | Phrase
    rest: str
    word: str

    @property
    def command(self) -> Command | None:
        return self.target if isinstance(self.target, Command) else None

    @property
    def phrase(self) -> Phrase | None:
        return self.target if isinstance(self.target, Phrase) else None


_SLASH = re.compile(r"^/([A-Za-z_]+)(?:@\S+)?(?:\s+(.*))?$", re.S)


MATCH_MEMO_CHARS = 200  # longer texts (letters, notices) are matched each time, not kept


class CommandTable:
    """All routers merged; matching is a pure function of the text."""

    def __init__(self, routers: list[Router]) -> None:
        self.commands: list[Command] = [c for r in routers for c in r.commands]
        self.phrases: list[Phrase] = [p for r in routers for p in r.phrases]
        # Narrowest first: a parent's plain message is the mailbox's, anyone else's gets hello.
        self.fallbacks: list[Fallback] = sorted((f for r in routers for f in r.fallbacks),
                                                key=lambda f: len(f.roles))
        self._kept_match = functools.lru_cache(maxsize=4096)(self._match)
        self.jobs: dict[str, JobHandler] = {EXPIRY_JOB: expire_questions}
        self.events: dict[str, EventHandler] = {}
        self.questions: dict[str, Question] = {}
        lookups = [r.letter_lookup for r in routers if r.letter_lookup is not None]
        if len(lookups) > 1:
            raise ValueError("letter_lookup declared twice")
        self.letter_lookup: LookupHandler | None = lookups[0] if lookups else None
        if self.letter_lookup is not None:
            check_handler("letter lookup", self.letter_lookup, context_type(person=True,
                                                                            school_class=False))
        for router in routers:
            for question in router.questions:
                if self.questions.setdefault(question.name, question) is not question:
                    raise ValueError(f"question {question.name!r} declared twice")
                check_handler(f"question {question.name}", question.handler, question.context)
            for kind, handler in router.events.items():
                if kind in self.events:
                    raise ValueError(f"event kind {kind!r} handled twice")
                check_handler(f"event {kind}", handler, ChatEventContext)
                self.events[kind] = handler
            for kind, job in router.jobs.items():
                if kind in self.jobs:
                    raise ValueError(f"job kind {kind!r} declared twice")
                self.jobs[kind] = job
        declarations: list[Command | Phrase | Fallback] = [*self.commands, *self.phrases,
                                                             *self.fallbacks]
        for declared in declarations:
            check_handler(declared.name, declared.handler, declared.context)
        self._by_word: dict[str, Command] = {}
        self._by_slash: dict[str, Command] = {}
        for command in self.commands:
            for word in command.words:
                if self._by_word.setdefault(word, command) is not command:
                    raise ValueError(f"command word {word!r} declared twice")
            for slash in command.slash:
                if self._by_slash.setdefault(slash.lower(), command) is not command:
                    raise ValueError(f"slash command /{slash} declared twice")
        self._words = sorted(self._by_word, key=len, reverse=True)

    def by_name(self, name: str) -> Command:
        return next(c for c in self.commands if c.name == name)

    def visible_to(self, roles: frozenset[str]) -> list[Command]:
        """The commands these roles may use, in declaration order (#帮助 lists them)."""
        return [c for c in self.commands if c.allows(roles)]

    def fallback_for(self, roles: frozenset[str]) -> Fallback | None:
        return next((f for f in self.fallbacks if f.allows(roles)), None)

    def match(self, text: str, *, group: bool | None = None) -> Match | None:
        """The command or phrase this text is. `group` (the chat's kind, when known) leaves out
        phrases declared for the other kind of chat, so a group-only phrase never hides what a
        private message means (the private fallback answers it instead).

        Kept for short texts (a pure function of the text, and a Match is immutable): a flood
        is a few hundred distinct messages, each tried against every command word and phrase."""
        if len(text) <= MATCH_MEMO_CHARS:
            return self._kept_match(text, group)
        return self._match(text, group)

    def _match(self, text: str, group: bool | None) -> Match | None:
        text = text.strip()
        if not text:
            return None
        if text.startswith("/"):
            found = _SLASH.match(text)
            command = self._by_slash.get(found.group(1).lower()) if found else None
            if found and command:
                return Match(command, (found.group(2) or "").strip(), found.group(1))
            return None
        explicit = text[0] in "#＃"
        body = text[1:].lstrip() if explicit else text
        for word in self._words:
            if not body.startswith(word):
                continue
            after = body[len(word):]
            # "#通知周五春游" is clearly a command; a bare word must stand alone ("通知 …").
            command = self._by_word[word]
            if explicit or (command.bare and (not after or after[0].isspace())):
                return Match(command, after.strip(), word)
        for phrase in self.phrases:
            if group is not None and phrase.scope is (Scope.PRIVATE if group else Scope.GROUP):
                continue
            if phrase.matches(text):
                return Match(phrase, text, "")
        return None


def check_handler(name: str, handler: Callable[..., Any], given: type) -> None:
    """A handler must accept the context its declaration guarantees: one typed for a person
    declared for guests, or for a class declared without one, fails at start-up, not later."""
    first = next(iter(inspect.signature(handler).parameters), None)
    wanted = typing.get_type_hints(handler).get(first) if first else None
    if not (isinstance(wanted, type) and issubclass(given, wanted)):
        raise TypeError(f"{name}: {handler.__qualname__} takes {wanted!r} but its declaration "
                        f"guarantees {given.__name__}")


def parse_args(command: Command, rest: str) -> Args:
    try:
        return command.args.from_text(rest)
    except (UsageError, ValidationError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
