"""#成绩: a teacher pastes a score table privately; the bot checks the names against the roster,
shows what it understood, and after 确认 sends each family only its own child's row, privately.

Never a ranking: rows go out one per family, in no order that says anything, and a class
average is shown only when `grades.class_averages` allows it. Families the bot cannot reach
privately are listed for the teacher (they are never mentioned in a group).
"""

from __future__ import annotations

import logging

from pydantic import Field

from core.permissions import STAFF
from kit.context import MemberContext, PersonContext
from kit.conversation import Answer, Choice, Question, ask_here
from kit.router import Args, Router, UsageError, private_command
from services import contact_log, grades, guardians, keys
from services.reach import tell_guardians

log = logging.getLogger(__name__)


class GradeArgs(Args):
    """`#成绩 [标题]` then, on the next lines, the pasted table."""

    title: str = Field(default="", max_length=60)
    table: str = Field(min_length=1, max_length=20000)

    @classmethod
    def from_text(cls, rest: str) -> GradeArgs:
        first, _, table = rest.strip().partition("\n")
        if not table.strip():
            raise UsageError("paste the table on the lines after #成绩")
        head = grades.read_table(first)
        if grades.names_a_column(first) or (any(ch.isdigit() for ch in first)
                                           and len(head.rows) == 1):
            first, table = "", rest  # no title: the first line is the header or a row
        return cls(title=first.strip(), table=table)


async def paste(ctx: PersonContext, args: GradeArgs) -> None:
    table = grades.read_table(args.table)
    classes = await contact_log.staff_classes(ctx.uow, ctx.person.id)
    checked = await grades.check(ctx.uow, classes, table) if table.rows else None
    if checked is None or not checked.rows:
        await ctx.reply("grades/unreadable", unknown=checked.unknown if checked else [])
        return
    batch = await grades.keep(ctx.uow, checked, author_id=ctx.person.id, title=args.title)
    log.info("grade batch %s: %s rows for class %s", batch.id, len(checked.rows),
             checked.school_class.id)
    await ask_here(ctx, CONFIRM, "grades/preview", class_id=checked.school_class.id,
                   ref_id=batch.id, checked=checked, title=args.title,
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

router = Router(
    commands=(private_command("grades", ("成绩",), ("grades",), paste, GradeArgs, roles=STAFF),),
    questions=(CONFIRM,),
)
