"""Surveys (问卷): questions asked privately one after another, answers kept per family.

A response is written question by question, so a family that gives up (不答了) or stops
answering keeps what it answered: a response without `finished_at` is partial and is counted
apart from the complete ones. Anonymous surveys (the default) keep no person with a response,
only a salted digest of the family (models/polls.py); the summaries never name anyone, and
show no breakdown of a question with fewer than `MIN_BREAKDOWN` answers, so nobody can be
singled out in a small class.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from models import SchoolClass, Survey, SurveyResponse
from models.base import storable
from services import guardians
from services.uow import UnitOfWork

MIN_BREAKDOWN = 5  # fewer answers than this: counts only, no breakdown (nobody singled out)
KINDS = ("choice", "scale", "text")
SKIPPED = "skipped"  # stored for a question the family chose to pass (跳过)


async def create(uow: UnitOfWork, *, class_id: int, author_id: int, title: str,
                 questions: Sequence[dict[str, Any]], anonymous: bool,
                 template: str = "") -> Survey:
    number = ((await uow.session.scalar(
        select(func.max(Survey.number)).where(Survey.class_id == class_id))) or 0) + 1
    survey = Survey(class_id=class_id, number=number, title=title, template=template,
                    questions=list(questions), anonymous=anonymous, salt=secrets.token_hex(16),
                    status="open", author_id=author_id, created_at=uow.now)
    uow.session.add(survey)
    await uow.session.flush()
    return survey


async def get(uow: UnitOfWork, survey_id: int) -> Survey | None:
    return await uow.session.get(Survey, survey_id)


async def by_number(uow: UnitOfWork, class_id: int, number: int) -> Survey | None:
    if not storable(number):
        return None
    return (await uow.session.scalars(select(Survey).where(
        Survey.class_id == class_id, Survey.number == number))).first()


async def latest(uow: UnitOfWork, class_id: int, *, open_only: bool = False) -> Survey | None:
    query = select(Survey).where(Survey.class_id == class_id)
    if open_only:
        query = query.where(Survey.status == "open")
    return (await uow.session.scalars(query.order_by(Survey.number.desc()))).first()


async def open_surveys(uow: UnitOfWork, class_ids: Sequence[int]) -> list[Survey]:
    return list((await uow.session.scalars(select(Survey).where(
        Survey.class_id.in_(class_ids), Survey.status == "open")
        .order_by(Survey.class_id, Survey.number))).all())


def _key(survey: Survey, student_id: int) -> str:
    return hashlib.sha256(f"{survey.salt}:s:{student_id}".encode()).hexdigest()


async def response_of(uow: UnitOfWork, survey: Survey, person_id: int,
                      *, create: bool = False) -> SurveyResponse | None:
    """The family's response (either guardian continues it); None for no guardian of the
    class, or when there is none yet and `create` is False."""
    students = await guardians.students_of_guardian(uow, survey.class_id, person_id)
    if not students:
        return None
    key = _key(survey, min(students))
    row = (await uow.session.scalars(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.respondent_key == key))).first()
    if row is None and create:
        row = SurveyResponse(survey_id=survey.id, respondent_key=key, answers={},
                             person_id=None if survey.anonymous else person_id,
                             gave_up=False, started_at=uow.now)
        uow.session.add(row)
        await uow.session.flush()
    return row


def next_question(survey: Survey, response: SurveyResponse) -> int | None:
    """The first question not answered (nor skipped) yet; None when all are."""
    return next((i for i in range(len(survey.questions)) if str(i) not in response.answers),
                None)


async def record(uow: UnitOfWork, survey: Survey, response: SurveyResponse, index: int,
                 value: int | str) -> int | None:
    """Keep one answer (or SKIPPED); returns the next question, finishing the response when
    none is left. A family that had given up and came back is no longer counted as such."""
    response.answers = {**response.answers, str(index): value}
    response.gave_up = False
    following = next_question(survey, response)
    if following is None:
        response.finished_at = uow.now
    await uow.session.flush()
    return following


async def give_up(uow: UnitOfWork, response: SurveyResponse) -> None:
    response.gave_up = True
    await uow.session.flush()


async def close(uow: UnitOfWork, survey: Survey) -> bool:
    if survey.status != "open":
        return False
    survey.status, survey.closed_at = "closed", uow.now
    await uow.session.flush()
    return True


@dataclass
class QuestionSummary:
    """One question's answers; `shown` False: fewer than MIN_BREAKDOWN, counts withheld."""

    index: int
    text: str
    kind: str
    options: list[str]
    answered: int
    shown: bool
    counts: list[int] = field(default_factory=list)  # per option, or per score 1..5
    average: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveySummary:
    survey: Survey
    complete: int
    partial: int  # started, not finished (given up, or left unanswered)
    families: int  # families with a registered guardian
    questions: list[QuestionSummary]
    min_answers: int = MIN_BREAKDOWN
    missing: list[str] = field(default_factory=list)  # named surveys only: families not done

    @property
    def answered(self) -> int:
        return self.complete + self.partial


def _question_summary(index: int, question: dict[str, Any],
                      values: list[int | str]) -> QuestionSummary:
    kind, options = str(question.get("type", "text")), list(question.get("options", []))
    out = QuestionSummary(index, str(question.get("text", "")), kind, options, len(values),
                          len(values) >= MIN_BREAKDOWN)
    if not out.shown:
        return out
    if kind == "choice":
        out.counts = [sum(1 for v in values if v == i) for i in range(len(options))]
    elif kind == "scale":
        scores = [int(v) for v in values if isinstance(v, int)]
        out.counts = [scores.count(n) for n in range(1, 6)]
        out.average = round(sum(scores) / len(scores), 1) if scores else None
    else:
        out.texts = sorted(str(v) for v in values)  # sorted: the order of answering tells nothing
    return out


async def summary(uow: UnitOfWork, survey: Survey) -> SurveySummary:
    rows = list((await uow.session.scalars(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id))).all())
    questions = []
    for i, question in enumerate(survey.questions):
        values = [r.answers[str(i)] for r in rows
                  if str(i) in r.answers and r.answers[str(i)] != SKIPPED]
        questions.append(_question_summary(i, question, values))
    families = [f for f in await guardians.families(uow, survey.class_id) if f.guardians]
    complete = sum(1 for r in rows if r.finished_at is not None)
    missing: list[str] = []
    if not survey.anonymous:
        done = {_key(survey, f.student_id) for f in families} & {
            r.respondent_key for r in rows if r.finished_at is not None}
        missing = [f.student for f in families if _key(survey, f.student_id) not in done]
    return SurveySummary(survey, complete, len(rows) - complete, len(families), questions,
                         missing=missing)


@dataclass
class ClassLine:
    """A class's latest survey of one kind, for the principal: counts and averages only."""

    school_class: SchoolClass
    summary: SurveySummary | None


async def across_classes(uow: UnitOfWork, template: str = "satisfaction") -> list[ClassLine]:
    """Every class with its newest survey of `template` (the satisfaction survey), or None."""
    out: list[ClassLine] = []
    classes = (await uow.session.scalars(select(SchoolClass).order_by(SchoolClass.id))).all()
    for school_class in classes:
        survey = (await uow.session.scalars(select(Survey).where(
            Survey.class_id == school_class.id, Survey.template == template)
            .order_by(Survey.number.desc()))).first()
        out.append(ClassLine(school_class, await summary(uow, survey) if survey else None))
    return out


async def in_class(uow: UnitOfWork, class_id: int, since: datetime | None = None,
                   until: datetime | None = None) -> list[Survey]:
    """The class's surveys (created in [since, until) when given), oldest first."""
    query = select(Survey).where(Survey.class_id == class_id)
    if since is not None:
        query = query.where(Survey.created_at >= since)
    if until is not None:
        query = query.where(Survey.created_at < until)
    return list((await uow.session.scalars(query.order_by(Survey.number))).all())
