"""Binding a class group, 实名 registration of parents, and roles given by the head teacher."""

from __future__ import annotations

from pydantic import Field

from core.events import ChatKind, EventKind, Mention, UserRef
from core.permissions import EVERYONE, HEAD_TEACHER
from kit.context import ChatEventContext, ClassContext, Context, MemberContext, PersonContext
from kit.router import Args, Command, Router, Scope, UsageError
from services import class_groups, guardians, keys, membership, reach
from services.guardians import RegisterStatus
from services.outbox import Draft, Kind

START_CODE = "remind"  # deep-link payload; help.py greets it (the sender's own account links)

MAX_NAME = 10
HEAD_TEACHER_ONLY = frozenset({HEAD_TEACHER})


class BindArgs(Args):
    class_name: str = Field(min_length=1, max_length=40)

    @classmethod
    def from_text(cls, rest: str) -> BindArgs:
        return cls(class_name=rest.strip())


class RegisterArgs(Args):
    student: str = Field(min_length=1, max_length=MAX_NAME)
    relation: str = Field(min_length=1, max_length=4)

    @classmethod
    def from_text(cls, rest: str) -> RegisterArgs:
        parts = rest.split()
        if len(parts) == 2:
            return cls(student=parts[0], relation=parts[1])
        if len(parts) == 1:  # "李明妈妈" written without the space
            for relation in sorted(guardians.RELATIONS, key=len, reverse=True):
                if parts[0].endswith(relation) and len(parts[0]) > len(relation):
                    return cls(student=parts[0][: -len(relation)], relation=relation)
        raise UsageError("need: student relation")


class TeacherArgs(Args):
    name: str = Field(min_length=1, max_length=20)
    subject: str = Field(min_length=1, max_length=10)

    @classmethod
    def from_text(cls, rest: str) -> TeacherArgs:
        parts = rest.replace("@", " ").split()
        if len(parts) != 2:
            raise UsageError("need: name subject")
        return cls(name=parts[0], subject=parts[1])


class CommitteeArgs(Args):
    name: str = Field(min_length=1, max_length=20)

    @classmethod
    def from_text(cls, rest: str) -> CommitteeArgs:
        return cls(name=rest.replace("@", " ").strip())


async def bind(ctx: PersonContext, args: BindArgs) -> None:
    result = await class_groups.bind(ctx.uow, args.class_name, ctx.event.chat, ctx.person.id)
    await ctx.reply("membership/bind", result=result)


async def who_owns(ctx: Context) -> bool:
    """#绑定 by someone who may not bind, in a group already bound: say whose it is."""
    if ctx.event.chat.kind is not ChatKind.GROUP:
        return False
    owner = await class_groups.owner_of(ctx.uow, ctx.event.chat)
    if owner is None:
        return False
    await ctx.reply("membership/bind", result=owner)
    return True


async def register(ctx: ClassContext, args: RegisterArgs) -> None:
    result = await guardians.register_guardian(ctx.uow, ctx.school_class, ctx.identity,
                                                args.student, args.relation)
    # Where the platform cannot write first (Telegram), hand out the link that opens the
    # private chat, so nudges can reach this parent privately instead of in the group.
    link = None
    if (ctx.channel_capabilities.private_link and not ctx.identity.private_reachable
            and result.status in (RegisterStatus.REGISTERED, RegisterStatus.ALREADY)):
        link = ctx.channel_capabilities.private_link.format(code=START_CODE)
    await ctx.reply("membership/register", result=result, relations=guardians.RELATIONS,
                    class_name=ctx.school_class.name, link=link)
    if result.status in guardians.TOLD:
        await _tell_head_teacher(ctx, result)


async def _tell_head_teacher(ctx: ClassContext, result: guardians.RegisterResult) -> None:
    """Every registration (and a family found full) reaches the head teacher privately, with
    the command that undoes or settles it: nobody takes a family's place unnoticed."""
    text = ctx.render("membership/registration_told", result=result,
                      class_name=ctx.school_class.name, sender=ctx.identity.display_name)
    for person_id in await guardians.head_teachers_to_tell(ctx.uow, ctx.school_class):
        await reach.tell_person(ctx, person_id, text, class_id=ctx.school_class.id,
                                key=keys.class_news(ctx.school_class.id, "registration",
                                                    ctx.cause))


def pointing(ctx: MemberContext, name: str) -> membership.Pointing:
    """Whom the command points at: @-mentions and a quoted message's author, by account."""
    event = ctx.event
    accounts = event.mentioned or ((event.reply_to_sender,) if event.reply_to_sender else ())
    return membership.Pointing(name=name, channel=event.channel, accounts=accounts,
                               names_are_accounts=ctx.channel_capabilities.names_are_accounts)


async def assign_teacher(ctx: MemberContext, args: TeacherArgs) -> None:
    result = await membership.assign_teacher(ctx.uow, ctx.school_class,
                                             pointing(ctx, args.name), args.subject)
    await ctx.reply("membership/assign_teacher", status=result.status,
                    candidates=result.candidates, name=args.name, subject=args.subject)


async def assign_committee(ctx: MemberContext, args: CommitteeArgs) -> None:
    result = await membership.assign_committee(ctx.uow, ctx.school_class,
                                               pointing(ctx, args.name))
    await ctx.reply("membership/assign_committee", status=result.status,
                    candidates=result.candidates, name=args.name)


async def members_joined(ctx: ChatEventContext, members: tuple[UserRef, ...]) -> None:
    """One greeting for everyone who just joined (one message, not one each: WeChat restricts
    accounts that send fast), @-mentioning them with the registration hint. A parent who left
    and comes back is restored silently."""
    newcomers = [m for m in members
                 if not await guardians.member_rejoined(ctx.uow, ctx.school_class, m.channel,
                                                         m.user_id)]
    if not newcomers:
        return
    event = ctx.event
    await ctx.send(Draft(
        chat=event.chat, kind=Kind.BROADCAST, class_id=ctx.school_class.id,
        mentions=tuple(Mention(m.user_id, m.display_name) for m in newcomers),
        dedupe_key=keys.welcome(event.channel, event.chat.chat_id, event.message_id),
        text=ctx.render("membership/welcome", class_name=ctx.school_class.name)))


async def members_left(ctx: ChatEventContext, members: tuple[UserRef, ...]) -> None:
    for member in members:
        await guardians.member_left(ctx.uow, ctx.school_class, member.channel, member.user_id)


router = Router(events={EventKind.MEMBER_JOINED: members_joined,
                        EventKind.MEMBER_LEFT: members_left}, commands=(
    Command("bind", ("绑定",), ("bind",), bind, BindArgs, roles=HEAD_TEACHER_ONLY,
            scope=Scope.GROUP, needs_class=False, refused=who_owns),
    Command("register", ("登记",), ("register",), register, RegisterArgs, roles=EVERYONE,
            scope=Scope.GROUP),
    Command("assign_teacher", ("任课",), ("teacher",), assign_teacher, TeacherArgs,
            roles=HEAD_TEACHER_ONLY),
    Command("assign_committee", ("家委",), ("committee",), assign_committee, CommitteeArgs,
            roles=HEAD_TEACHER_ONLY),
))
