"""The class record (家校联系册): contacts with families, the 必访 tags, and grade batches.

A contact is one 家访 (上门), 电访, 来访 or 视频 visit with one student's family, registered
with what the policies ask for (过程、家庭情况、下一步建议、家长意见). Tags mark the "六个必访"
students, who must be contacted often. A grade batch is one pasted table a teacher previewed
and then sent, each family receiving only its own child's row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ContactEntry(Base):
    __tablename__ = "contact_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(10))  # home | phone | school | video
    process: Mapped[str] = mapped_column(Text, default="")
    family: Mapped[str] = mapped_column(Text, default="")  # 家庭情况
    next_steps: Mapped[str] = mapped_column(Text, default="")
    parent_opinion: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MustVisitTag(Base):
    """A student in one of the six 必访 categories (core.config.MUST_VISIT)."""

    __tablename__ = "must_visit_tags"
    __table_args__ = (UniqueConstraint("student_id", "category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    tagged_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GradeBatch(Base):
    """One #成绩 table: previewed (status preview), then sent or dropped. `rows` holds
    [{"student_id", "name", "scores": {subject: text}}] in the order pasted."""

    __tablename__ = "grade_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    title: Mapped[str] = mapped_column(String(60), default="")
    subjects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="preview")  # preview|sent|dropped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
