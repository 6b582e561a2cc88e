"""Surveys (问卷): built by a teacher, answered privately one question after another.

`#问卷 满意度` starts the ready term-end satisfaction survey (its questions come from the
policies' themes: notices and communication, parent meetings, the mailbox, home visits and
one-to-one talks; templates/<lang>/surveys/satisfaction.txt.j2). `#问卷 标题` followed by one
question a line builds one: a line ending in `1-5` (or `打分`) is a 1–5 scale, a line with
options (`A. … B. …`, or `| 选项 | 选项`) a single choice, anything else free text. Surveys are
anonymous unless the title line says 实名.

The groups get a card (a 填问卷 button on Telegram) and each family an invitation privately;
nothing asks before the family says `填问卷`, so a survey never barges into another open
question. Then each question is the one open question of that private chat (kit Question with
a reader): an answer records it and asks the next; `跳过` passes one; `不答了` stops and keeps
what was answered (a partial response, counted apart); `填问卷` again continues where it
stopped. Another question the bot asks in between (a mailbox offer, a which-notice question)
replaces the survey's, and says how to continue. Silence until the question expires leaves the
response partial too.

The author and the head teacher get a summary (`#问卷情况`, and at `#结束问卷`); the principal
gets every class's satisfaction survey side by side. No question with fewer than 5 answers is
broken down (services/surveys.py), and no summary names anyone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from core.events import Button, ChatKind, ChatRef
from core.permissions import FAMILIES, PRINCIPAL, STAFF
from core.reading.votes import survey_answer
from handlers.record import pick_class
from kit.context import MemberContext, Messenger, PersonContext
from kit.conversation import Answer, Question, ask
from kit.router import Args, Command, NumberArgs, Router, UsageError
from models import SchoolClass, Survey
from services import answering, cards, corrections, guardians, identities, keys, surveys
from services.outbox import Kind
from services.reach import post_to_groups, tell_guardians
from services.surveys import SKIPPED

log = logging.getLogger(__name__)

TEMPLATE_WORDS = frozenset({"满意度", "满意度调查", "满意度问卷", "期末满意度", "满意度测评"})
_NAMED = ("实名", "记名")
_ANONYMOUS = ("匿名",)
_NUMBERING = re.compile(r"^(?:第?\d{1,2}\s*[.、．:：)）题]|[qQ]\d{1,2}[.、．:：)）]?)\s*")
_SCALE = re.compile(r"\s*[（(\[【]?\s*(?:1\s*[-~～—到至]\s*5\s*分?|打分|评分|[1１]-[5５]分?)"
                    r"\s*[)）\]】]?\s*$")
_TEXT = re.compile(r"\s*[（(\[【]\s*(?:填空|简答|文字|自由回答|开放题|选填)\s*[)）\]】]\s*$")
_INLINE = re.compile(r"\s*(?<![A-Za-z])([A-Ja-j])\s*[.、．:：)）]\s*")
_MAX_QUESTIONS, _MAX_TEXT = 20, 200
_UNCLEAR_MAX = 12  # a short reply that fits no option is asked again; a longer one is other talk


# --- building ------------------------------------------------------------------------------


def parse_question(line: str) -> dict[str, Any] | None:
    """One question line: `… 1-5` scale, `… A.x B.y` or `… | x | y` single choice, else text."""
    line = _NUMBERING.sub("", line.strip()).strip()
    if not line:
        return None
    if "|" in line or "｜" in line:
        parts = [p.strip() for p in re.split(r"[|｜]", line) if p.strip()]
        if len(parts) >= 3:
            return {"text": parts[0][:_MAX_TEXT], "type": "choice", "options": parts[1:11]}
    if _SCALE.search(line):
        return {"text": _SCALE.sub("", line)[:_MAX_TEXT], "type": "scale", "options": []}
    pieces = _INLINE.split(line)
    # ["question", "A", "x", "B", "y", ...] with consecutive letters A, B, …
    letters = pieces[1::2]
    if len(pieces) >= 5 and [x.upper() for x in letters] == list("ABCDEFGHIJ"[:len(letters)]):
        options = [p.strip() for p in pieces[2::2] if p.strip()]
        if pieces[0].strip() and len(options) == len(letters):
            return {"text": pieces[0].strip()[:_MAX_TEXT], "type": "choice", "options": options}
    return {"text": _TEXT.sub("", line)[:_MAX_TEXT], "type": "text", "options": []}


def parse_survey(text: str) -> tuple[str, bool, list[dict[str, Any]]] | None:
    """(title, anonymous, questions) from `标题\\n问题…`, or None without a question."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    title, anonymous = lines[0], True
    for word in _NAMED + _ANONYMOUS:
        if word in title.split():
            anonymous = word in _ANONYMOUS
            title = " ".join(w for w in title.split() if w != word)
    questions = [q for q in (parse_question(line) for line in lines[1:]) if q is not None]
    if not title or not questions or len(questions) > _MAX_QUESTIONS:
        return None
    return title[:100], anonymous, questions


class SurveyArgs(Args):
    text: str = Field(min_length=1, max_length=5000)

    @classmethod
    def from_text(cls, rest: str) -> SurveyArgs:
        if not rest.strip():
            raise UsageError("a title and questions, or 满意度")
        return cls(text=rest.strip())


def take_button(m: Messenger, survey: Survey) -> tuple[Button, ...]:
    return (Button(m.render("surveys/button"), f"#填问卷 {survey.number}"),)


async def create(ctx: MemberContext, args: SurveyArgs) -> None:
    words = args.text.split()
    template = "satisfaction" if words[0] in TEMPLATE_WORDS and "\n" not in args.text else ""
    parsed = parse_survey(ctx.render("surveys/satisfaction") if template else args.text)
    if parsed is None:
        await ctx.reply_usage("survey")
        return
    title, anonymous, questions = parsed
    if template:  # #问卷 满意度 实名
        anonymous = not any(w in words for w in _NAMED)
    survey = await surveys.create(ctx.uow, class_id=ctx.school_class.id, author_id=ctx.person.id,
                                  title=title, questions=questions, anonymous=anonymous,
                                  template=template)
    groups = await post_to_groups(
        ctx, class_id=survey.class_id, key=keys.survey_card(survey.id), kind=Kind.NOTICE,
        ref=("survey", survey.id), buttons=take_button(ctx, survey),
        text=ctx.render("surveys/card", survey=survey, author=ctx.person.display_name))
    families = await guardians.families(ctx.uow, survey.class_id)
    await tell_guardians(
        ctx, class_id=survey.class_id, guardians=[g for f in families for g in f.guardians],
        key=keys.survey_invite(survey.id), group_text=None, ref=("survey", survey.id),
        kind=Kind.NOTICE,  # an invitation, not a reminder (the monthly report counts those)
        private_text=lambda g: ctx.render("surveys/invite", survey=survey, name=g.name))
    await ctx.reply("surveys/created", survey=survey, groups=groups, private=True)


# --- answering -----------------------------------------------------------------------------


async def _private_chat(ctx: PersonContext) -> ChatRef | None:
    if ctx.event.chat.kind is ChatKind.PRIVATE:
        return ctx.event.chat
    return identities.private_chat(ctx.identity)


async def ask_next(ctx: PersonContext, survey: Survey, chat: ChatRef, *,
                   first: bool = False) -> None:
    """Ask the family's next unanswered question privately, or thank them when all are done."""
    response = await surveys.response_of(ctx.uow, survey, ctx.person.id, create=True)
    if response is None:
        return
    index = surveys.next_question(survey, response)
    private = ctx.event.chat.kind is not ChatKind.PRIVATE
    if index is None:
        await ctx.reply("surveys/thanks", survey=survey, private=private,
                        answered=sum(1 for v in response.answers.values() if v != SKIPPED))
        return
    question = survey.questions[index]
    note = await ask(ctx, SURVEY_QUESTION, person_id=ctx.person.id, chat=chat,
                     class_id=survey.class_id, ref_id=survey.id,
                     payload={"survey": survey.id, "index": index, "kind": question["type"],
                              "options": question.get("options", [])})
    await ctx.reply("surveys/question", survey=survey, index=index, question=question,
                    total=len(survey.questions), first=first, note=note, private=private)


async def take(ctx: PersonContext, args: NumberArgs) -> None:
    """`填问卷 [N]` (or the card's button): start or continue, privately."""
    class_ids = await ctx.answering_classes()
    chat = await _private_chat(ctx)
    if chat is None:
        await ctx.reply("common/cannot_dm")
        return
    found = await surveys.open_surveys(ctx.uow, class_ids)
    if args.number is not None:
        found = [s for s in found if s.number == args.number]
    if not found:
        await ctx.reply("surveys/nothing_open", number=args.number, private=True)
        return
    pending = []
    for survey in found:
        response = await surveys.response_of(ctx.uow, survey, ctx.person.id)
        if response is None or response.finished_at is None:
            pending.append(survey)
    if len(pending) > 1:
        names = await answering.class_names(ctx.uow, class_ids)
        await ctx.reply("surveys/which", surveys=pending, names=names, private=True)
        return
    if not pending:
        await ctx.reply("surveys/already_done", survey=found[0], private=True)
        return
    await ask_next(ctx, pending[0], chat, first=True)


def read_answer(text: str, payload: Mapping[str, Any]) -> str | None:
    """What a message answers to the open survey question: "answer", "skip", "quit",
    "unclear" (a short reply that fits nothing: asked again), or None (other talk)."""
    found = survey_answer(text, str(payload.get("kind", "text")),
                          [str(o) for o in payload.get("options", [])])
    if found is None:
        return "unclear" if len(text.strip()) <= _UNCLEAR_MAX else None
    return "quit" if found.quit else "skip" if found.skip else "answer"


async def answered(ctx: PersonContext, picked: Answer) -> None:
    survey = await surveys.get(ctx.uow, int(picked.payload["survey"]))
    if survey is None:
        return
    index = int(picked.payload["index"])
    question = survey.questions[index]
    if survey.status != "open":
        await ctx.reply("surveys/closed", survey=survey)
        return
    response = await surveys.response_of(ctx.uow, survey, ctx.person.id, create=True)
    if response is None:
        return
    if picked.value == "unclear":
        note = await ask(ctx, SURVEY_QUESTION, person_id=ctx.person.id, chat=ctx.event.chat,
                         class_id=survey.class_id, ref_id=survey.id, payload=picked.payload)
        await ctx.reply("surveys/unclear", question=question, note=note)
        return
    if picked.value == "quit":
        await surveys.give_up(ctx.uow, response)
        await ctx.reply("surveys/paused", survey=survey,
                        answered=sum(1 for v in response.answers.values() if v != SKIPPED))
        return
    found = survey_answer(picked.rest, question["type"], question.get("options", []))
    value = SKIPPED if picked.value == "skip" or found is None or found.value is None \
        else found.value
    await surveys.record(ctx.uow, survey, response, index, value)
    await ask_next(ctx, survey, ctx.event.chat)


# A day to answer each question; left longer, the response stays partial (`填问卷` resumes).
SURVEY_QUESTION = Question("survey_question", answered, expires_minutes=lambda _c: 24 * 60,
                           reads=read_answer)


# --- summaries and closing -----------------------------------------------------------------


async def _find(ctx: PersonContext, school_class: SchoolClass,
                number: int | None) -> Survey | None:
    survey = await surveys.by_number(ctx.uow, school_class.id, number) if number is not None \
        else (await surveys.latest(ctx.uow, school_class.id, open_only=True)
              or await surveys.latest(ctx.uow, school_class.id))
    if survey is None:
        await ctx.reply("surveys/not_found", number=number, private=True)
    return survey


async def _class(ctx: PersonContext) -> SchoolClass | None:
    if ctx.school_class is not None and ctx.event.chat.kind is ChatKind.GROUP:
        return ctx.school_class
    return await pick_class(ctx, None)


async def _mine(ctx: PersonContext, number: int | None) -> Survey | None:
    """The survey, when the sender is its author or the class's head teacher."""
    school_class = await _class(ctx)
    if school_class is None:
        return None
    survey = await _find(ctx, school_class, number)
    if survey is None:
        return None
    ctx.school_class = school_class
    if not corrections.may_change(ctx.roles, ctx.person.id, survey.author_id):
        await ctx.reply("surveys/not_author", survey=survey, private=True,
                        author=await cards.person_name(ctx.uow, survey.author_id))
        return None
    return survey


async def results(ctx: PersonContext, args: NumberArgs) -> None:
    """`#问卷情况 [N]`: the class summary to its author or head teacher; the principal gets the
    satisfaction survey of every class side by side."""
    if PRINCIPAL in ctx.roles and not ctx.roles & STAFF:
        await ctx.reply("surveys/across", lines=await surveys.across_classes(ctx.uow),
                        private=True)
        return
    survey = await _mine(ctx, args.number)
    if survey is not None:
        await ctx.reply("surveys/summary", summary=await surveys.summary(ctx.uow, survey),
                        private=True)


async def close(ctx: PersonContext, args: NumberArgs) -> None:
    survey = await _mine(ctx, args.number)
    if survey is None:
        return
    summary = await surveys.summary(ctx.uow, survey)
    if await surveys.close(ctx.uow, survey):
        await post_to_groups(ctx, class_id=survey.class_id, key=keys.survey_closed(survey.id),
                             kind=Kind.BROADCAST, ref=("survey", survey.id),
                             text=ctx.render("surveys/closed_group", summary=summary))
    await ctx.reply("surveys/summary", summary=summary, private=True)


router = Router(
    commands=(
        Command("survey", ("问卷",), ("survey",), create, SurveyArgs, roles=STAFF),
        Command("take_survey", ("填问卷", "答问卷", "做问卷"), ("takesurvey",), take, NumberArgs,
                roles=FAMILIES, needs_class=False),
        Command("survey_results", ("问卷情况", "问卷结果"), ("surveyresults",), results,
                NumberArgs, roles=STAFF | {PRINCIPAL}, needs_class=False),
        Command("close_survey", ("结束问卷",), ("closesurvey",), close, NumberArgs, roles=STAFF,
                needs_class=False),
    ),
    questions=(SURVEY_QUESTION,),
)
