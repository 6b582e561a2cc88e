"""Polls (投票) and surveys (问卷): numbered per class like notices and meetings.

Anonymity is kept by what is stored, not by what is shown: a vote or a survey response of an
anonymous poll/survey keeps no person and no student, only `voter_key`, a digest of the
poll's own random salt and the family (or person) it counts for. That key is what makes "one
vote per family, a new vote replaces the old one" work; it is never rendered, exported or
logged, and without the salt it names nobody. Named (实名) polls also keep who voted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Poll(Base):
    """`per_person`: one vote per guardian instead of one per family (每人一票)."""

    __tablename__ = "polls"
    __table_args__ = (UniqueConstraint("class_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(200))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    per_person: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_results: Mapped[bool] = mapped_column(Boolean, default=False)
    salt: Mapped[str] = mapped_column(String(32))  # keys anonymous votes; never shown
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PollVote(Base):
    """One vote per voter key (family or person); changing a vote updates the row.
    `person_id` / `student_id` stay NULL in an anonymous poll."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "voter_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    option: Mapped[int] = mapped_column(Integer)  # 0-based index into Poll.options
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"))
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Survey(Base):
    """`questions`: [{"text": …, "type": "choice" | "scale" | "text", "options": [...]}]."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("class_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    template: Mapped[str] = mapped_column(String(20), default="")  # "satisfaction" or ""
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    salt: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyResponse(Base):
    """One family's answers, kept question by question: `finished_at` None is a partial
    response (given up with 不答了, or left unanswered), counted apart from complete ones."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "respondent_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    respondent_key: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # named surveys only
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # "index" -> value
    gave_up: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
