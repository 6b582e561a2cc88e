"""The privacy guard: phone and ID numbers, rankings and one child's problems stay out of groups.

In a bound group the bot cannot unsend what someone posted, but it can tell the sender
privately why it belongs in a private chat and, for a teacher, offer to send it privately to the
families concerned instead. A teacher's notice with such content is held before it reaches any
group (handlers/notices.py calls `hold_notice`): the teacher confirms it, sends it privately, or
drops it. A `#动态` item is held the same way before it is even stored (handlers/weekly.py calls
`hold_update_item`), so the weekly update can only ever repeat an item the teacher confirmed.
What it detects is core/reading/sensitive.py.
"""

from __future__ import annotations

import logging

from core.events import ChatKind
from core.permissions import EVERYONE, HEAD_TEACHER, TEACHER
from core.reading.sensitive import Finding, Kind, scan, worth_a_look
from kit.context import ClassContext, MemberContext, Messenger
from kit.conversation import Answer, Choice, Question, ask
from kit.router import Phrase, Router, Scope
from models import SchoolClass
from services import guardians, keys, roster
from services.reach import private_chat_of, tell_guardians

log = logging.getLogger(__name__)

# What a notice is held for: anything the guard finds.
HOLD_KINDS = frozenset(Kind)


async def _scan(m: Messenger, class_id: int, text: str) -> list[Finding]:
    names = [s.name for s in await roster.students(m.uow, class_id)]
    return scan(text, names)


def _kinds(findings: list[Finding]) -> list[str]:
    return [str(f.kind) for f in findings]


def _students(findings: list[Finding]) -> list[str]:
    return [name for f in findings for name in f.students]


def for_family(text: str, student: str, others: list[str]) -> str:
    """The text as one family may see it: lines naming another student are left out (a
    ranking becomes the header and this child's own row)."""
    kept = [line for line in text.splitlines()
            if not any(o in line for o in others if o != student and o not in student)]
    return "\n".join(kept).strip()


async def send_privately(m: Messenger, school_class: SchoolClass, *, author: str, text: str,
                         cause: str) -> tuple[int, list[str]]:
    """Send `text` privately to the families it names (every family if it names none), each
    without the lines about other children. Returns (families reached, families not reached)."""
    families = await guardians.families(m.uow, school_class.id)
    names = [f.student for f in families]
    named = [f for f in families if f.student in text] or families
    reached, unreached = 0, []
    for family in named:
        own = for_family(text, family.student, names)
        if not family.guardians:
            unreached.append(family.student)
            continue
        missed = await tell_guardians(
            m, class_id=school_class.id, guardians=family.guardians,
            key=keys.private_copy(cause, family.student_id), group_text=None,
            private_text=lambda g, own=own: m.render(
                "privacy/private_copy", author=author, text=own, name=g.name,
                class_name=school_class.name))
        if len(missed) == len(family.guardians):
            unreached.append(family.student)
        else:
            reached += 1
    return reached, unreached


# --- the guard in the group ---------------------------------------------------------------

async def guard(ctx: ClassContext, text: str) -> None:
    """Someone posted sensitive content in the group: a private word, never a group echo."""
    if not ctx.uow.config.privacy.guard:
        return
    findings = await _scan(ctx, ctx.school_class.id, text)
    if not findings:
        return
    log.info("privacy guard: %s in class %s (message %s)", _kinds(findings),
             ctx.school_class.id, ctx.event.message_id)
    staff = bool(ctx.roles & {HEAD_TEACHER, TEACHER})
    chat = await private_chat_of(ctx.uow, ctx.person.id) if ctx.person and staff else None
    if ctx.person is None or chat is None:
        await ctx.reply("privacy/warning", private=True, kinds=_kinds(findings),
                        students=_students(findings), offer=False)
        return
    note = await ask(ctx, SEND_PRIVATELY, person_id=ctx.person.id, chat=chat,
                     class_id=ctx.school_class.id, payload={"text": text})
    await ctx.reply("privacy/warning", private=True, kinds=_kinds(findings),
                    students=_students(findings), offer=True, note=note)


async def send_offered(ctx: MemberContext, answer: Answer) -> None:
    if answer.value == "no":
        await ctx.reply("privacy/left_alone")
        return
    reached, unreached = await send_privately(ctx, ctx.school_class,
                                              author=ctx.person.display_name,
                                              text=answer.payload["text"], cause=ctx.cause)
    await ctx.reply("privacy/sent_privately", reached=reached, unreached=unreached)


# --- a notice or a weekly-update item held before it reaches a group ----------------------

async def _hold(ctx: MemberContext, scanned: str, question: Question,
                payload: dict[str, object], what: str, /, **values: object) -> bool:
    """True when `scanned` is held: the teacher is asked privately (`privacy/<what>_held`) what
    to do with it, or told to write privately first (`privacy/<what>_refused`)."""
    if not ctx.uow.config.privacy.guard:
        return False
    findings = [f for f in await _scan(ctx, ctx.school_class.id, scanned)
                if f.kind in HOLD_KINDS]
    if not findings:
        return False
    chat = await private_chat_of(ctx.uow, ctx.person.id) or (
        ctx.event.chat if ctx.event.chat.kind is ChatKind.PRIVATE else None)
    log.info("%s held by the privacy guard: %s (class %s)", what, _kinds(findings),
             ctx.school_class.id)
    if chat is None:
        await ctx.reply(f"privacy/{what}_refused", kinds=_kinds(findings))
        return True
    note = await ask(ctx, question, person_id=ctx.person.id, chat=chat,
                     class_id=ctx.school_class.id, payload=payload)
    await ctx.reply(f"privacy/{what}_held", private=True, kinds=_kinds(findings),
                    students=_students(findings), note=note, **values)
    return True


async def hold_notice(ctx: MemberContext, *, title: str, body: str, urgent: bool) -> bool:
    """Called by #通知 / #紧急通知 before publishing: True when the notice is held (the
    teacher is asked privately what to do with it), False when it may go out."""
    return await _hold(ctx, f"{title}\n{body}", NOTICE_HELD,
                       {"title": title, "body": body, "urgent": urgent}, "notice", title=title)


async def hold_update_item(ctx: MemberContext, text: str) -> bool:
    """Called by #动态 before the item is stored: True when it is held (as a notice is)."""
    return await _hold(ctx, text, UPDATE_HELD, {"text": text}, "update", text=text)


async def _privately(ctx: MemberContext, text: str) -> None:
    reached, unreached = await send_privately(ctx, ctx.school_class,
                                              author=ctx.person.display_name,
                                              text=text, cause=ctx.cause)
    await ctx.reply("privacy/sent_privately", reached=reached, unreached=unreached)


async def notice_decided(ctx: MemberContext, answer: Answer) -> None:
    title, body = answer.payload["title"], answer.payload["body"]
    if answer.value == "drop":
        await ctx.reply("privacy/notice_dropped", title=title)
        return
    if answer.value == "private":
        await _privately(ctx, f"{title}\n{body}")
        return
    command = ctx.declared("urgent" if answer.payload["urgent"] else "notice")
    args = command.args.from_text(f"{title}\n{body}").model_copy(update={"confirmed": True})
    await command.handler(ctx, args)  # the notice's own answer says where it went


async def update_decided(ctx: MemberContext, answer: Answer) -> None:
    """确认 stores the item for the weekly update; 私发 sends it to the families it names
    instead (never stored, so never in the update); 取消 drops it."""
    text = answer.payload["text"]
    if answer.value == "drop":
        await ctx.reply("privacy/update_dropped", text=text)
        return
    if answer.value == "private":
        await _privately(ctx, text)
        return
    command = ctx.declared("update")
    args = command.args.from_text(text).model_copy(update={"confirmed": True})
    await command.handler(ctx, args)  # the item's own answer says when it goes out


def _hold_minutes(config: object) -> int:
    return config.privacy.hold_expires_minutes  # type: ignore[attr-defined]


SEND_PRIVATELY = Question(
    "privacy_send_privately", send_offered, _hold_minutes, needs_class=True,
    choices=(Choice("yes", ("私发", "是", "好", "好的", "发")), Choice("no", ("不用", "否", "不"))))
_HELD_CHOICES = (Choice("publish", ("确认", "确认发布", "发布", "群发")),
                 Choice("private", ("私发", "私下发")),
                 Choice("drop", ("取消", "不发", "算了")))
NOTICE_HELD = Question("privacy_notice_held", notice_decided, _hold_minutes, needs_class=True,
                       choices=_HELD_CHOICES)
UPDATE_HELD = Question("privacy_update_held", update_decided, _hold_minutes, needs_class=True,
                       choices=_HELD_CHOICES)

router = Router(
    phrases=(Phrase("privacy_guard", worth_a_look, guard, roles=EVERYONE, scope=Scope.GROUP),),
    questions=(SEND_PRIVATELY, NOTICE_HELD, UPDATE_HELD),
)
