"""#成绩: a teacher pastes a score table privately; the bot checks the names against the roster,
shows what it understood, and after 确认 sends each family only its own child's row, privately.

The table may also come as a file (XLSX or CSV) where the platform carries files: as the file's
caption `#成绩` (Telegram), or sent within `grades.file_wait_minutes` after a bare `#成绩`, which
asks for it. A file that gives no table (wrong type, password, corrupt, empty, no name on the
roster) is explained and nothing is kept; the bot then waits for the next file again.

Never a ranking: rows go out one per family, in no order that says anything, and a class
average is shown only when `grades.class_averages` allows it. Families the bot cannot reach
privately are listed for the teacher (they are never mentioned in a group).
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import Field

from core.events import FileTooLarge, FileUnavailable, InboundFile
from core.permissions import STAFF
from kit.context import MemberContext, PersonContext
from kit.conversation import FREE, Answer, Choice, Question, ask_here
from kit.router import Args, Router, UsageError, private_command
from services import contact_log, grades, guardians, keys
from services.reach import tell_guardians

log = logging.getLogger(__name__)


class GradeArgs(Args):
    """`#成绩 [标题]` then, on the next lines, the pasted table (none: a file is on its way)."""

    title: str = Field(default="", max_length=60)
    table: str = Field(default="", max_length=20000)

    @classmethod
    def from_text(cls, rest: str) -> GradeArgs:
        first, _, table = rest.strip().partition("\n")
        if not table.strip():
            if grades.looks_like_table(first):
                return cls(table=first)  # `#成绩 李明 95`: a one-row table
            if len(first.strip()) > 60:
                raise UsageError("a title of at most 60 characters, the table below it")
            return cls(title=first.strip())
        head = grades.read_table(first)
        if grades.names_a_column(first) or (any(ch.isdigit() for ch in first)
                                           and len(head.rows) == 1):
            first, table = "", rest  # no title: the first line is the header or a row
        return cls(title=first.strip(), table=table)


async def paste(ctx: PersonContext, args: GradeArgs) -> None:
    """The table pasted below `#成绩`, or the file it came with, or ask for one."""
    if args.table:
        await _preview(ctx, args.title, args.table)
    elif ctx.event.files:
        await _from_file(ctx, args.title, ctx.event.files[0])
    else:
        await _ask_for_table(ctx, args.title)


async def _ask_for_table(ctx: PersonContext, title: str) -> None:
    minutes = ctx.uow.config.grades.file_wait_minutes
    await ask_here(ctx, TABLE, "grades/ask_table", payload={"title": title}, title=title,
                   minutes=minutes)


async def table_sent(ctx: PersonContext, answer: Answer) -> None:
    """The file or pasted table sent after a bare `#成绩` (or 取消)."""
    title = str(answer.payload.get("title", ""))
    if answer.value != FREE:
        await ctx.reply("grades/dropped")
    elif ctx.event.files:
        await _from_file(ctx, title, ctx.event.files[0])
    else:
        await _preview(ctx, title, answer.rest)


async def _from_file(ctx: PersonContext, title: str, file: InboundFile) -> None:
    """Read the file (off the loop) and preview it like a paste; a file that gives no table is
    explained, and the next file is waited for again."""
    limit = ctx.uow.config.grades.file_max_kb * 1024
    try:
        data = await file.read(limit)
        text = await asyncio.to_thread(grades.read_upload, file.suffix, file.mime, data)
    except FileTooLarge as exc:
        await _file_problem(ctx, title, file, "too_large", size_kb=-(-(exc.size or 0) // 1024))
        return
    except FileUnavailable:
        await _file_problem(ctx, title, file, "unavailable")
        return
    except grades.UploadError as exc:
        log.info("grade file %s (%s) refused: %s", file.suffix, file.mime, exc.problem)
        await _file_problem(ctx, title, file, exc.problem.value)
        return
    await _preview(ctx, title, text, file=file)


async def _file_problem(ctx: PersonContext, title: str, file: InboundFile, problem: str,
                        **values: object) -> None:
    await ask_here(ctx, TABLE, "grades/file_problem", payload={"title": title},
                   problem=problem, name=file.name,
                   limit_kb=ctx.uow.config.grades.file_max_kb, **values)


async def _preview(ctx: PersonContext, title: str, text: str,
                   file: InboundFile | None = None) -> None:
    table = grades.read_table(text)
    classes = await contact_log.staff_classes(ctx.uow, ctx.person.id)
    checked = await grades.check(ctx.uow, classes, table) if table.rows else None
    if checked is None or not checked.rows:
        unknown = checked.unknown if checked else []
        if file is not None:
            await _file_problem(ctx, title, file, "no_students", unknown=unknown)
        else:
            await ctx.reply("grades/unreadable", unknown=unknown)
        return
    batch = await grades.keep(ctx.uow, checked, author_id=ctx.person.id, title=title)
    log.info("grade batch %s: %s rows for class %s", batch.id, len(checked.rows),
             checked.school_class.id)
    await ask_here(ctx, CONFIRM, "grades/preview", class_id=checked.school_class.id,
                   ref_id=batch.id, checked=checked, title=title,
                   example=checked.rows[0],
                   averages=grades.averages(batch) if ctx.uow.config.grades.class_averages
                   else {})


async def decided(ctx: MemberContext, answer: Answer) -> None:
    batch = await grades.get(ctx.uow, answer.ref_id or 0)
    if batch is None or batch.status != "preview":
        return
    if answer.value == "drop":
        await grades.mark(ctx.uow, batch, "dropped")
        await ctx.reply("grades/dropped")
        return
    averages = grades.averages(batch) if ctx.uow.config.grades.class_averages else {}
    families = {f.student_id: f for f in await guardians.families(ctx.uow, batch.class_id)}
    reached, unreached = 0, []
    for row in batch.rows:
        family = families.get(int(row["student_id"]))
        people = family.guardians if family else []
        missed = await tell_guardians(
            ctx, class_id=batch.class_id, guardians=people, group_text=None,
            key=keys.grade_row(batch.id, int(row["student_id"])),
            private_text=lambda g, row=row: ctx.render(
                "grades/family_row", row=row, title=batch.title, subjects=batch.subjects,
                averages=averages, name=g.name, class_name=ctx.school_class.name))
        if not people or len(missed) == len(people):
            unreached.append(str(row["name"]))
        else:
            reached += 1
    await grades.mark(ctx.uow, batch, "sent")
    await ctx.reply("grades/sent", reached=reached, unreached=unreached)


def _confirm_minutes(config: object) -> int:
    return config.grades.confirm_expires_minutes  # type: ignore[attr-defined]


CONFIRM = Question("grades_confirm", decided, _confirm_minutes, needs_class=True,
                   choices=(Choice("send", ("确认", "发送", "确认发送")),
                            Choice("drop", ("取消", "不发"))))

def _wait_minutes(config: object) -> int:
    return config.grades.file_wait_minutes  # type: ignore[attr-defined]


TABLE = Question("grades_table", table_sent, _wait_minutes,
                 choices=(Choice("drop", ("取消", "不发", "算了")),),
                 free=lambda text: not text.strip() or grades.looks_like_table(text))

router = Router(
    commands=(private_command("grades", ("成绩",), ("grades",), paste, GradeArgs, roles=STAFF),),
    questions=(CONFIRM, TABLE),
)
