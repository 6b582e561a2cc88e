"""Questions the bot asks and waits for, declared on a router like its commands.

A `Question` declares its choices and the words that select each (是 / 匿名 / 否), or takes a
number when it was asked with items ("which meeting do you mean? reply 1 or 2"), and what
happens with the answer (its handler). `ask()` makes it the one open question for a person in a
chat, until it expires (services/questions.py keeps it); asking another there replaces it and
`ask()` returns the line that says so. The pipeline hands that person's next message in that
chat to the question after commands and before phrases and the private fallback; only one of
its answers reaches the handler, anything else leaves it open.

A question may also declare which of its choices the everyday yes and no pick (`yes=` /
`no=`): then `好`, `好的`, `嗯`, `可以`, `是的`, `不用了`, `算了` … (core.reading.replies.yes_no,
fillers and thanks allowed: `好的，谢谢老师`) answer it too; a numbered question takes a number
in any everyday form (`2`, `第二个`, `选2`, `２`: core.reading.replies.choice). Adding words or
a numbered question needs a declaration, nothing else.

A question may instead take the message itself as its answer (`free=`, a predicate on the
text): "send the score file or paste the table" is answered by a pasted table or by a message
that carries only a file (its text is empty); the handler finds the file on the event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.config import Config
from core.events import ChatRef
from core.reading import replies
from kit.context import Context, Messenger, PersonContext, context_type
from models import PendingQuestion, ScheduledJob
from services import questions

# An answer handler takes the question's context (PersonContext, or MemberContext when the
# question needs a class) and the Answer; CommandTable checks the annotation at start-up.
AnswerHandler = Callable[[Any, "Answer"], Awaitable[None]]

_TRAILING = "。.!！~～"
FREE = "free"  # Answer.value when a `free` question took the whole message


def _normal(word: str) -> str:
    return word.strip().rstrip(_TRAILING).strip().lower()


@dataclass(frozen=True)
class Choice:
    """One answer and the words that select it (any case, trailing 。! ignored)."""

    value: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    value: str  # the Choice picked; "" when a number picked one of the items
    number: int | None  # 1-based, for a numbered question
    rest: str  # what followed the answer word, for a question that takes it (a reason)
    payload: dict[str, Any]  # what the asker stored with the question
    ref_id: int | None

    @property
    def item(self) -> Any:
        """The item a number picked, as it was given to ask()."""
        return self.payload["items"][self.number - 1] if self.number else None


@dataclass(frozen=True)
class Question:
    name: str  # stored with the open question; unique across the routers
    handler: AnswerHandler
    expires_minutes: Callable[[Config], int]
    choices: tuple[Choice, ...] = ()
    numbered: bool = False  # "reply 1 or 2": a number picks one of the items it was asked with
    takes_rest: bool = False  # "不满意 还是太咸": the first word answers, the rest goes along
    needs_class: bool = False  # the handler gets the class the question was asked about
    yes: str | None = None  # the choice an everyday yes (好, 可以, 嗯 …) picks
    no: str | None = None  # the choice an everyday no (不用了, 算了 …) picks
    # Takes the whole message as the answer (value FREE, rest = the text) when this says so.
    free: Callable[[str], bool] | None = None
    # Answers read against what was asked (a survey's scale, options or free text): the
    # reader gets the text and the stored payload and returns the value, or None for no
    # answer; the handler gets the text as `Answer.rest`.
    reads: Callable[[str, Mapping[str, Any]], str | None] | None = None
    _words: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words: dict[str, str] = {}
        for choice in self.choices:
            for word in choice.words:
                if words.setdefault(_normal(word), choice.value) != choice.value:
                    raise ValueError(f"question {self.name}: {word!r} picks two choices")
        object.__setattr__(self, "_words", words)

    @property
    def context(self) -> type[Context]:
        """Only the person asked can answer: a person always, a class when declared."""
        return context_type(person=True, school_class=self.needs_class)

    def pick(self, text: str, row: PendingQuestion) -> Answer | None:
        """The answer `text` gives to this open question, or None if it is no answer."""
        if self.reads is not None:
            value = self.reads(text, row.payload)
            if value is None:
                return None
            return Answer(value, None, text.strip(), dict(row.payload), row.ref_id)
        first, rest = text.strip(), ""
        if self.takes_rest and first:
            first, _, rest = first.partition(" ")
        word = _normal(first)
        if word not in self._words and not self.takes_rest:
            word = replies.keyword(text, self._words) or word  # 匿名吧, 老师 否，谢谢
        if word in self._words:
            return Answer(self._words[word], None, rest.strip(), dict(row.payload), row.ref_id)
        items = row.payload.get("items", [])
        number = replies.choice(text if not self.takes_rest else first, len(items)) \
            if self.numbered and items else None
        if number is not None:  # 2, ２, 第二个, 选2, 就第一个吧
            return Answer("", number, rest.strip(), dict(row.payload), row.ref_id)
        said = replies.yes_no(text) if self.yes is not None or self.no is not None else None
        value = self.yes if said is True else self.no if said is False else None
        if value is not None:
            return Answer(value, None, "", dict(row.payload), row.ref_id)
        if self.free is not None and self.free(text):
            return Answer(FREE, None, text, dict(row.payload), row.ref_id)
        return None


async def ask(m: Messenger, question: Question, *, person_id: int, chat: ChatRef,
              class_id: int | None = None, ref_id: int | None = None,
              payload: Mapping[str, Any] | None = None, items: Sequence[Any] = ()) -> str:
    """Make `question` the one open for this person in this chat, until it expires as declared.
    Returns the line for the message that asks it: empty, or saying which question it replaces
    (asking the same question again just renews it)."""
    data = dict(payload or {})
    if items:
        data["items"] = list(items)
    replaced = await questions.put(m.uow, person_id=person_id, chat=chat, name=question.name,
                                   minutes=question.expires_minutes(m.uow.config),
                                   class_id=class_id, ref_id=ref_id, payload=data)
    if replaced is None:
        return ""
    return m.render("common/question_replaced", question=replaced.name,
                    payload=replaced.payload)


async def ask_here(ctx: PersonContext, question: Question, template: str, /, *,
                   class_id: int | None = None, ref_id: int | None = None,
                   payload: Mapping[str, Any] | None = None, items: Sequence[Any] = (),
                   **values: Any) -> None:
    """Ask the sender in the chat they wrote in: `template` is the question's text."""
    note = await ask(ctx, question, person_id=ctx.person.id, chat=ctx.event.chat,
                     class_id=class_id, ref_id=ref_id, payload=payload, items=items)
    await ctx.reply(template, note=note, **values)


async def open_question(ctx: PersonContext, question: Question) -> PendingQuestion | None:
    """This question, if it is the one open for the sender in this chat."""
    row = await questions.pending(ctx.uow, ctx.person.id, ctx.event.chat)
    return row if row is not None and row.name == question.name else None


async def forget(m: Messenger, question: Question, *, person_id: int,
                 ref_id: int | None = None) -> None:
    """The question was settled another way (a command, a button): nothing left to answer."""
    await questions.forget(m.uow, person_id, question.name, ref_id)


async def expire_questions(m: Messenger, _job: ScheduledJob) -> None:
    """Due job: unanswered questions whose time is up go, with anything they held."""
    await questions.expire(m.uow)
