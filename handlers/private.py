"""A parent's plain private message (no command, no answer to an open question).

Nothing a registered parent writes privately is dropped. A message that reads as a leave
request or a sick child (core.reading.replies.absence: 请假, 发烧, 生病, 不舒服 …) is offered
straight to the head teacher as a private message (the relay, which keeps their office hours:
at 23:05 it waits for the morning, and the parent is told when it arrives), with the class
mailbox as the second choice; anything else is offered to the mailbox. Either offer is a
declared question that takes the everyday yes and no (好 / 嗯 / 可以 / 不用了) and says what it
did; more messages before the answer are held together as one.
"""

from __future__ import annotations

from core.permissions import PARENT
from core.reading.replies import absence
from handlers import mailbox, relay
from kit.context import MemberContext, PersonContext
from kit.conversation import Answer, Choice, Question, ask_here
from kit.router import Fallback, Router
from services import membership
from services.mailbox import Category

TEACHER, MAILBOX, NO = "teacher", "mailbox", "no"


async def private_message(ctx: PersonContext) -> None:
    message = await mailbox.held_message(ctx)
    if message is None:
        return
    heads = await membership.head_teachers(ctx.uow, message.school_class.id)
    if absence(message.text) is None or not heads:
        await mailbox.offer(ctx, message)
        return
    hours = ctx.uow.config.mailbox.hours_of(heads[0].display_name)
    await ask_here(ctx, ABSENCE, "relay/absence_offer", class_id=message.school_class.id,
                   payload=message.payload, parts=len(message.parts),
                   teacher=heads[0].display_name, office_start=hours.start.strftime("%H:%M"),
                   office_end=hours.end.strftime("%H:%M"),
                   minutes=ctx.uow.config.mailbox.offer_expires_minutes)


async def absence_answered(ctx: MemberContext, answer: Answer) -> None:
    """好 → the held text goes to the head teacher now or at their next office hours (relay
    says which); 信箱 → a letter to the class mailbox; 不用 → dropped, and said so."""
    text = str(answer.payload.get("text", ""))
    heads = await membership.head_teachers(ctx.uow, ctx.school_class.id)
    if answer.value == NO:
        await ctx.reply("relay/absence_declined")
    elif answer.value == MAILBOX or not heads:
        await mailbox.submit(ctx, ctx.school_class, mailbox.Letter(
            text, list(answer.payload.get("attachments", [])), Category.LETTER, False, False))
    else:
        await relay.send(ctx, heads[0].display_name, text, urgent=False)


ABSENCE = Question("absence_offer", absence_answered, needs_class=True,
                   expires_minutes=lambda config: config.mailbox.offer_expires_minutes,
                   choices=(Choice(TEACHER, ("转", "转给班主任", "转给老师", "发给老师",
                                             "发给班主任", "班主任", "老师", "私信")),
                            Choice(MAILBOX, ("信箱", "班级信箱", "放信箱", "写信", "放进信箱",
                                             "mailbox")),
                            Choice(NO, ("否", "no", "不", "不用", "不转"))),
                   yes=TEACHER, no=NO)


router = Router(
    questions=(ABSENCE,),
    # A registered parent's plain private message; anyone else's gets help's hello.
    fallbacks=(Fallback("private_message", private_message, roles=frozenset({PARENT})),),
)
