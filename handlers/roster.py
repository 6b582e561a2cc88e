"""The head teacher runs the roster and the families from the chat: #名单 (privately), #加学生,
#删学生, #移除 a guardian, #允许 one more guardian, #批准 / #拒绝 a waiting registration.

Every command here shows or changes personal data, so the answers that list people go to the
head teacher's private chat; the words are written as #word or /slash only (名单, 允许, 拒绝 …
are everyday words in a group)."""

from __future__ import annotations

import re

from pydantic import Field

from kit.context import MemberContext
from kit.router import Args, Command, NameArgs, Router, UsageError
from services import family_admin, keys, reach
from services.family_admin import GuardianStatus
from services.guardians import MAX_GUARDIANS

HEAD_TEACHER_ONLY = frozenset({"head_teacher"})
_SPLIT = re.compile(r"[\s,，、]+")


class NamesArgs(Args):
    names: list[str] = Field(min_length=1, max_length=60)

    @classmethod
    def from_text(cls, rest: str) -> NamesArgs:
        names = [n for n in _SPLIT.split(rest.strip()) if n]
        if any(len(n) > 10 for n in names):
            raise UsageError("a name is at most 10 characters")
        return cls(names=names)


class AllowArgs(Args):
    name: str = Field(min_length=1, max_length=12)
    places: int = Field(ge=1, le=MAX_GUARDIANS)

    @classmethod
    def from_text(cls, rest: str) -> AllowArgs:
        parts = rest.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise UsageError("need: student number")
        return cls(name=parts[0], places=int(parts[1]))


async def show_roster(ctx: MemberContext, _args: Args) -> None:
    result = await family_admin.view(ctx.uow, ctx.school_class)
    await ctx.reply("roster/list", private=True, view=result, class_name=ctx.school_class.name)


async def add_students(ctx: MemberContext, args: NamesArgs) -> None:
    added = await family_admin.add_students(ctx.uow, ctx.school_class, args.names)
    await ctx.reply("roster/added", private=True, added=added)


async def remove_student(ctx: MemberContext, args: NameArgs) -> None:
    result = await family_admin.remove_student(ctx.uow, ctx.school_class, args.name)
    await ctx.reply("roster/student_removed", private=True, result=result)


async def remove_guardian(ctx: MemberContext, args: NameArgs) -> None:
    result = await family_admin.remove_guardian(ctx.uow, ctx.school_class, args.name)
    await ctx.reply("roster/guardian_removed", private=True, result=result)


async def allow(ctx: MemberContext, args: AllowArgs) -> None:
    result = await family_admin.allow(ctx.uow, ctx.school_class, args.name, args.places)
    await ctx.reply("roster/allowed", private=True, result=result)


async def _decide(ctx: MemberContext, name: str, *, approve: bool) -> None:
    result = await family_admin.decide(ctx.uow, ctx.school_class, name, approve=approve)
    await ctx.reply("roster/decided", private=True, result=result, approve=approve)
    if result.status is GuardianStatus.DONE and result.person_id is not None:
        await reach.tell_person(
            ctx, result.person_id,
            ctx.render("roster/decision_for_parent", result=result, approve=approve,
                       class_name=ctx.school_class.name),
            key=keys.class_news(ctx.school_class.id, "decided", ctx.cause),
            class_id=ctx.school_class.id)


async def approve(ctx: MemberContext, args: NameArgs) -> None:
    await _decide(ctx, args.name, approve=True)


async def reject(ctx: MemberContext, args: NameArgs) -> None:
    await _decide(ctx, args.name, approve=False)


def _command(name: str, word: str, slash: str, handler: object, args: type[Args]) -> Command:
    return Command(name, (word,), (slash,), handler, args,  # type: ignore[arg-type]
                   roles=HEAD_TEACHER_ONLY, bare=False)


router = Router(commands=(
    _command("roster", "名单", "roster", show_roster, Args),
    _command("add_student", "加学生", "addstudent", add_students, NamesArgs),
    _command("remove_student", "删学生", "removestudent", remove_student, NameArgs),
    _command("remove_guardian", "移除", "removeguardian", remove_guardian, NameArgs),
    _command("allow_guardians", "允许", "allow", allow, AllowArgs),
    _command("approve", "批准", "approve", approve, NameArgs),
    _command("reject", "拒绝", "reject", reject, NameArgs),
))
