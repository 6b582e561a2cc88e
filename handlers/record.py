"""The contact record (家校联系册), privately for the class's teachers: #家访 registers a visit
or call, #必访 tags the "六个必访" students, #联系册 shows one student's timeline, #家访情况 the
term's coverage; the head teacher is reminded of the gaps on each month's first school day.

All of it is private (scope PRIVATE): it is about one family. The class comes from the student
named, or from the teacher's only class, or from a class name written first.
"""

from __future__ import annotations

import logging
import re

from pydantic import Field

from core.permissions import STAFF
from kit.context import Messenger, PersonContext
from kit.router import Args, Router, UsageError, private_command
from models import ScheduledJob, SchoolClass, Student
from services import contact_log, membership, monthly, outbox, roster
from services.contact_log import CATEGORY_WORDS, KIND_WORDS
from services.monthly import GAPS_JOB
from services.reach import tell_person

log = logging.getLogger(__name__)
_BAR = re.compile(r"\s*[|｜]\s*")


class VisitArgs(Args):
    """`李明 上门 | 过程 | 家庭情况 | 下一步建议 [| 家长意见]` (kind: 上门 电访 来访 视频)."""

    student: str = Field(min_length=1, max_length=40)
    kind: str
    process: str = Field(min_length=1, max_length=2000)
    family: str = Field(default="", max_length=2000)
    next_steps: str = Field(default="", max_length=2000)
    parent_opinion: str = Field(default="", max_length=2000)

    @classmethod
    def from_text(cls, rest: str) -> VisitArgs:
        parts = _BAR.split(rest.strip())
        head = parts[0].split()
        if not head or len(parts) < 2 or not parts[1]:
            raise UsageError("a student and at least the process")
        kind_word = head[1] if len(head) > 1 else "上门"
        if kind_word not in KIND_WORDS or len(head) > 2:
            raise UsageError(f"unknown kind {kind_word!r}")
        fields = [*parts[1:], "", "", ""][:4]
        return cls(student=head[0], kind=KIND_WORDS[kind_word], process=fields[0],
                   family=fields[1], next_steps=fields[2], parent_opinion=fields[3])


class MustVisitArgs(Args):
    """Empty (the list), or `李明 单亲 [违纪 …]`, or `李明 取消 单亲` to take a tag off."""

    student: str | None = None
    categories: list[str] = Field(default_factory=list)
    remove: bool = False

    @classmethod
    def from_text(cls, rest: str) -> MustVisitArgs:
        words = rest.replace("、", " ").replace("，", " ").split()
        if not words:
            return cls()
        student, words = words[0], words[1:]
        remove = bool(words) and words[0] in ("取消", "去掉", "删除")
        words = words[1:] if remove else words
        if not words or any(w not in CATEGORY_WORDS for w in words):
            raise UsageError("categories: " + " ".join(CATEGORY_WORDS))
        return cls(student=student, remove=remove,
                   categories=list(dict.fromkeys(CATEGORY_WORDS[w] for w in words)))


class StudentArgs(Args):
    student: str = Field(min_length=1, max_length=40)

    @classmethod
    def from_text(cls, rest: str) -> StudentArgs:
        if len(rest.split()) != 1:
            raise UsageError("one student's name")
        return cls(student=rest.strip())


class ClassNameArgs(Args):
    """An optional class name, for a teacher of several classes."""

    class_name: str | None = None

    @classmethod
    def from_text(cls, rest: str) -> ClassNameArgs:
        return cls(class_name=rest.strip() or None)


async def pick_class(ctx: PersonContext, name: str | None) -> SchoolClass | None:
    """The class a private staff command is about: the named one among the sender's classes,
    or their only one; None after telling them what to write."""
    classes = await contact_log.staff_classes(ctx.uow, ctx.person.id)
    if name is not None:
        classes = [c for c in classes if c.name == name]
    if len(classes) == 1:
        return classes[0]
    await ctx.reply("record/which_class", classes=[c.name for c in
                                                   await contact_log.staff_classes(
                                                       ctx.uow, ctx.person.id)])
    return None


async def _student(ctx: PersonContext, name: str) -> tuple[SchoolClass, Student] | None:
    classes = await contact_log.staff_classes(ctx.uow, ctx.person.id)
    found = await contact_log.find_student(ctx.uow, classes, name)
    if found is None:
        names = [s.name for c in classes for s in await roster.students(ctx.uow, c.id)]
        await ctx.reply("record/unknown_student", name=name, names=names)
    return found


async def log_visit(ctx: PersonContext, args: VisitArgs) -> None:
    found = await _student(ctx, args.student)
    if found is None:
        return
    school_class, student = found
    entry = await contact_log.log_contact(
        ctx.uow, class_id=school_class.id, student_id=student.id, author_id=ctx.person.id,
        kind=args.kind, process=args.process, family=args.family, next_steps=args.next_steps,
        parent_opinion=args.parent_opinion)
    log.info("contact %s logged for student %s (class %s)", entry.id, student.id,
             school_class.id)
    cover = await contact_log.coverage(ctx.uow, school_class)
    await ctx.reply("record/logged", entry=entry, student=student.name, coverage=cover)


async def must_visit(ctx: PersonContext, args: MustVisitArgs) -> None:
    if args.student is None:
        school_class = await pick_class(ctx, None)
        if school_class is None:
            return
        await ctx.reply("record/must_visit_list", tagged=await contact_log.tagged(
            ctx.uow, school_class), tz=school_class.timezone, class_name=school_class.name)
        return
    found = await _student(ctx, args.student)
    if found is None:
        return
    school_class, student = found
    if args.remove:
        now = await contact_log.untag(ctx.uow, student_id=student.id, categories=args.categories)
    else:
        now = await contact_log.tag(ctx.uow, class_id=school_class.id, student_id=student.id,
                                    categories=args.categories, by=ctx.person.id)
    weeks = ctx.uow.config.record.must_visit_weeks
    await ctx.reply("record/tagged", student=student.name, categories=now,
                    weeks=min((weeks.get(c, 4) for c in now), default=0))


async def contact_book(ctx: PersonContext, args: StudentArgs) -> None:
    found = await _student(ctx, args.student)
    if found is None:
        return
    school_class, student = found
    line = await contact_log.timeline(ctx.uow, school_class, student)
    await ctx.reply("record/timeline", timeline=line, tz=school_class.timezone)


async def coverage(ctx: PersonContext, args: ClassNameArgs) -> None:
    school_class = await pick_class(ctx, args.class_name)
    if school_class is None:
        return
    await ctx.reply("record/coverage", coverage=await contact_log.coverage(ctx.uow, school_class),
                    class_name=school_class.name, tz=school_class.timezone, reminder=False)


async def remind_gaps(m: Messenger, job: ScheduledJob) -> None:
    """Monthly: the head teacher hears privately who has not been visited and which 必访
    students are overdue (after quiet hours; nothing when there is no gap)."""
    school_class = await roster.class_of_id(m.uow, job.class_id or 0)
    if school_class is None:
        return
    await monthly.ensure_scheduled(m.uow, school_class)
    cover = await contact_log.coverage(m.uow, school_class)
    if cover.empty:
        log.info("class %s: no contact gaps this month", school_class.id)
        return
    text = m.render("record/coverage", coverage=cover, class_name=school_class.name,
                    tz=school_class.timezone, reminder=True)
    held = await outbox.release_after_quiet_hours(m.uow, school_class.id)
    for head in await membership.head_teachers(m.uow, school_class.id):
        await tell_person(m, head.id, text, key=job.dedupe_key, class_id=school_class.id,
                          not_before=held)


router = Router(
    commands=(
        private_command("record_visit", ("家访",), ("visit",), log_visit, VisitArgs,
                        roles=STAFF),
        private_command("must_visit", ("必访",), ("mustvisit",), must_visit, MustVisitArgs,
                        roles=STAFF),
        private_command("contact_book", ("联系册",), ("contactbook",), contact_book,
                        StudentArgs, roles=STAFF),
        private_command("coverage", ("家访情况",), ("coverage",), coverage, ClassNameArgs,
                        roles=STAFF),
    ),
    jobs={GAPS_JOB: remind_gaps},
)
