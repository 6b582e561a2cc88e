"""The class mailbox, staff side: the inbox (#信箱), answers (#回复), transfers (#转交),
handling results (#结案) with the rating question they ask the parent, and the reply-time
reminders.

Staff reach a ticket only through services.mailbox.for_staff, which never returns another
class's tickets; every staff-facing message takes the sender from `sender_name`, which is None
for anonymous tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.events import Button
from core.permissions import MAILBOX_STAFF
from kit.context import Messenger, PersonContext
from kit.conversation import Answer, Choice, Question, ask, forget
from kit.router import Args, Router, UsageError, private_command
from models import Person, ScheduledJob, SchoolClass, Ticket
from services import keys, mailbox
from services.mailbox import RATING_DAYS, Rating, Status
from services.reach import Reached, private_chat_of, tell_person

MAX_BODY = 2000
RATING_WORDS = {Rating.SATISFIED: ("满意", "satisfied"), Rating.BASIC: ("基本满意", "ok"),
                Rating.UNSATISFIED: ("不满意", "unsatisfied", "不好", "不太好", "不行")}
RATINGS = {word: rating for rating, words in RATING_WORDS.items() for word in words}


def checked_body(text: str) -> str:
    """Checked without echoing the text: a usage error's message reaches the debug log."""
    if len(text) > MAX_BODY:
        raise UsageError("text too long")
    return text


class CodeTextArgs(Args):
    code: str | None = None
    text: str = ""

    @classmethod
    def from_text(cls, rest: str) -> CodeTextArgs:
        first, _, after = rest.strip().partition(" ")
        code = mailbox.parse_code(first)
        text = after.strip() if code else rest.strip()
        return cls(code=code, text=checked_body(text))


class TicketTextArgs(CodeTextArgs):
    """Both the ticket code and a text are required (#回复, #结案, #转交)."""

    @classmethod
    def from_text(cls, rest: str) -> CodeTextArgs:
        args = super().from_text(rest)
        if args.code is None or not args.text:
            raise UsageError("ticket code and text required")
        return args


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    class_name: str
    sender: str | None  # None: anonymous (or unknown) — never looked up for anonymous tickets


async def _row(m: Messenger, ticket: Ticket) -> Row:
    school_class = await m.uow.session.get(SchoolClass, ticket.class_id)
    return Row(ticket, school_class.name if school_class else "",
               await mailbox.sender_name(m.uow, ticket))


def _key(m: Messenger, ticket: Ticket, what: str) -> str:
    """Unique per cause: the incoming message, or the due job running now."""
    return keys.ticket_news(ticket.id, what, m.cause)


async def notify_recipients(m: Messenger, ticket: Ticket, event: str, *, text: str = "",
                            people: list[Person] | None = None, by: str = "") -> None:
    """Tell whoever handles the ticket now (or `people`) what happened, privately."""
    row = await _row(m, ticket)
    tz = await mailbox.class_tz(m.uow, ticket)
    message = m.render("mailbox/to_staff", event=event, row=row, text=text, by=by, tz=tz,
                       due=mailbox.reply_due(m.uow, ticket, tz),
                       hours=m.uow.config.mailbox.reply_within_hours)
    for person in people if people is not None else await mailbox.recipients(m.uow, ticket):
        await tell_person(m, person.id, message,
                          key=keys.to_person(_key(m, ticket, event), person.id),
                          class_id=ticket.class_id, ref=("ticket", ticket.id))


async def tell_parent(m: Messenger, ticket: Ticket, event: str, *, text: str = "",
                      by: str = "", buttons: tuple[Button, ...] = (), note: str = "") -> Reached:
    """Relay to the sender — the only use of `sender_id` — with staff names, never accounts.
    `note`: a line under it (that the question it asks replaced an older one). Where the parent
    cannot be written to yet, it is held for their next private message; the staff member is
    told which of the two happened."""
    message = m.render("mailbox/to_parent", event=event, ticket=ticket, text=text, by=by)
    message = f"{message}\n{note}" if note else message
    return await tell_person(m, ticket.sender_id, message, key=_key(m, ticket, event),
                             class_id=ticket.class_id, buttons=buttons,
                             ref=("ticket", ticket.id), hold=True)


def rating_buttons(m: Messenger, ticket: Ticket) -> tuple[Button, ...]:
    return tuple(Button(m.render("mailbox/rating_label", rating=rating),
                        f"#评价 {ticket.code} {words[0]}")
                 for rating, words in RATING_WORDS.items())


# --- the rating a handling result asks for -------------------------------------------------

async def rate_ticket(ctx: PersonContext, ticket: Ticket, rating: Rating, reason: str) -> None:
    """The parent rates the result (#评价, a button, or answering the question); 不满意
    reopens the ticket and tells whoever handles it."""
    if ticket.status != Status.RESOLVED:
        await ctx.reply("mailbox/rated", ticket=ticket, rating=None)
        return
    await mailbox.rate(ctx.uow, ticket, rating, reason)
    await forget(ctx, RATING, person_id=ticket.sender_id, ref_id=ticket.id)
    await notify_recipients(ctx, ticket, "rating", text=reason)
    await ctx.reply("mailbox/rated", ticket=ticket, rating=rating)


SKIP = "skip"  # an everyday no to the rating question: not rating (they still can, by code)


async def rating_answered(ctx: PersonContext, answer: Answer) -> None:
    """满意 / 基本满意 / 不满意 [理由], typed after the result was sent; an everyday yes
    (好的，谢谢) is 满意, an everyday no (不用了) leaves it unrated — both said back."""
    ticket = await ctx.uow.session.get(Ticket, answer.ref_id or 0)
    if ticket is None or ticket.sender_id != ctx.person.id:
        await ctx.reply("mailbox/not_found", code=answer.payload.get("code"))
    elif answer.value == SKIP:
        await ctx.reply("mailbox/rating_skipped", ticket=ticket)
    else:
        await rate_ticket(ctx, ticket, Rating(answer.value), answer.rest)


RATING = Question("mailbox_rating", rating_answered, takes_rest=True,
                  expires_minutes=lambda _config: RATING_DAYS * 24 * 60,
                  choices=tuple(Choice(rating.value, words)
                                for rating, words in RATING_WORDS.items()),
                  yes=Rating.SATISFIED.value, no=SKIP)


# --- views ---------------------------------------------------------------------------------

async def view(ctx: PersonContext, code: str | None) -> None:
    """#信箱: open tickets with status and age; #信箱 X-0012: one ticket with its thread."""
    uow = ctx.uow
    if code is None:
        tickets = await mailbox.for_staff(uow, ctx.person.id, open_only=True)
        rows = [await _row(ctx, t) for t in tickets]
        await ctx.reply("mailbox/inbox", rows=rows, now=uow.now, tz=ctx.tz)
        return
    ticket = await _staff_ticket(ctx, code)
    if ticket is None:
        return
    await mailbox.mark_seen(uow, ticket, ctx.person.id)
    await ctx.reply("mailbox/ticket", row=await _row(ctx, ticket),
                    thread=await mailbox.thread(uow, ticket), tz=ctx.tz)


async def _staff_ticket(ctx: PersonContext, code: str | None) -> Ticket | None:
    tickets = await mailbox.for_staff(ctx.uow, ctx.person.id, code=code) if code else []
    if not tickets:
        await ctx.reply("mailbox/not_found", code=code)
        return None
    open_ones = [t for t in tickets if t.status != Status.RESOLVED]
    return (open_ones or tickets)[-1]


# --- answering -----------------------------------------------------------------------------

async def _answer(ctx: PersonContext, args: CodeTextArgs, *, closing: bool) -> None:
    """#回复 relays an answer; #结案 relays the handling result and asks for a rating."""
    ticket = await _staff_ticket(ctx, args.code)
    if ticket is None:
        return
    record = mailbox.close if closing else mailbox.reply
    await record(ctx.uow, ticket, ctx.person.id, args.text)
    note = await _ask_rating(ctx, ticket) if closing else ""
    reached = await tell_parent(ctx, ticket, "result" if closing else "reply", text=args.text,
                                by=ctx.person.display_name, note=note,
                                buttons=rating_buttons(ctx, ticket) if closing else ())
    await ctx.reply("mailbox/staff_done", action="closed" if closing else "replied",
                    ticket=ticket, target="", targets=[], reached=reached)


async def _ask_rating(m: Messenger, ticket: Ticket) -> str:
    """The result goes to the parent's first reachable private chat: the question waits there."""
    chat = await private_chat_of(m.uow, ticket.sender_id)
    if chat is None:
        return ""  # they will see the result in #我的信箱 and can still #评价 with the code
    return await ask(m, RATING, person_id=ticket.sender_id, chat=chat, class_id=ticket.class_id,
                     ref_id=ticket.id, payload={"code": ticket.code})


async def reply(ctx: PersonContext, args: CodeTextArgs) -> None:
    await _answer(ctx, args, closing=False)


async def close(ctx: PersonContext, args: CodeTextArgs) -> None:
    await _answer(ctx, args, closing=True)


async def transfer(ctx: PersonContext, args: CodeTextArgs) -> None:
    ticket = await _staff_ticket(ctx, args.code)
    if ticket is None:
        return
    target = await mailbox.find_target(ctx.uow, ticket, args.text)
    if target is None:
        await ctx.reply("mailbox/staff_done", action="unknown_target", ticket=ticket,
                        target=args.text, targets=await mailbox.transfer_targets(ctx.uow, ticket),
                        reached=None)
        return
    await mailbox.transfer(ctx.uow, ticket, ctx.person.id, target)
    await notify_recipients(ctx, ticket, "transferred", by=ctx.person.display_name)
    reached = await tell_parent(ctx, ticket, "transferred", by=target.label)
    await ctx.reply("mailbox/staff_done", action="transferred", ticket=ticket,
                    target=target.label, targets=[], reached=reached)


# --- reply-time reminders ------------------------------------------------------------------

async def sla_check(m: Messenger, job: ScheduledJob) -> None:
    """Round 1: remind the recipients; round 2 (twice the time): tell the principals, who may
    then open the ticket (still without the sender if anonymous)."""
    uow = m.uow
    ticket = await uow.session.get(Ticket, job.ref_id or 0)
    if (ticket is None or ticket.sla_epoch != job.payload.get("epoch")
            or ticket.status not in mailbox.WAITING):
        return
    if job.payload.get("round", 1) == 1:
        await notify_recipients(m, ticket, "reminder")
        await mailbox.schedule_escalation(uow, ticket)
        return
    ticket.escalated = True
    await notify_recipients(m, ticket, "overdue", people=await mailbox.principals(uow))


router = Router(
    commands=(
        private_command("reply", ("回复",), ("reply",), reply, TicketTextArgs,
                        roles=MAILBOX_STAFF, own_code=True),
        private_command("transfer", ("转交",), ("transfer",), transfer, TicketTextArgs,
                        roles=MAILBOX_STAFF, own_code=True),
        private_command("close", ("结案",), ("close",), close, TicketTextArgs,
                        roles=MAILBOX_STAFF, own_code=True),
    ),
    jobs={mailbox.SLA_JOB: sla_check},
    questions=(RATING,),
)
