"""The class mailbox, parents' side: write (with category, 匿名, to the principal), the offer
for a plain private message, #补充, #我的信箱, rating the handling result; and the due jobs.

Every mailbox command is private-only: in a group the pipeline answers with a neutral pointer
and the text goes nowhere (nothing about the event but its platform id is stored).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.permissions import FAMILIES, MAILBOX_STAFF, PARENT
from handlers import mailbox_staff
from handlers.help import private_hello
from handlers.mailbox_staff import MAX_BODY, CodeTextArgs, checked_body
from kit.context import Messenger, PersonContext
from kit.router import Args, Fallback, Router, UsageError, private_command
from models import ScheduledJob, SchoolClass, Ticket
from services import mailbox, membership
from services.mailbox import Category, Rating, Status

PREFIXES = {"匿名": "anonymous", "投诉": Category.COMPLAINT, "建议": Category.SUGGESTION,
            "咨询": Category.QUESTION, "校长信箱": "school", "信箱": None}
YES, ANON, NO = ("是", "yes", "提交"), ("匿名", "anonymous"), ("否", "no", "不", "不用")
RATINGS = {"满意": Rating.SATISFIED, "satisfied": Rating.SATISFIED,
           "基本满意": Rating.BASIC, "ok": Rating.BASIC,
           "不满意": Rating.UNSATISFIED, "unsatisfied": Rating.UNSATISFIED}


class LetterArgs(Args):
    body: str = ""
    category: Category | None = None
    anonymous: bool = False
    to_school: bool = False

    @classmethod
    def from_text(cls, rest: str) -> LetterArgs:
        """Leading words set options: '#匿名投诉 …', '#投诉 匿名 …', '#校长信箱 建议 …'."""
        values: dict[str, object] = {}
        rest = rest.strip()
        while True:
            word, _, after = rest.partition(" ")
            word = word.strip("：:")
            if word not in PREFIXES or not after.strip():
                break
            option = PREFIXES[word]
            if option == "anonymous":
                values["anonymous"] = True
            elif option == "school":
                values["to_school"] = True
            elif option is not None:
                values["category"] = option
            rest = after.strip()
        return cls(body=checked_body(rest), **values)  # type: ignore[arg-type]


# --- which class a family writes to --------------------------------------------------------

async def family_class(ctx: PersonContext, text: str) -> tuple[SchoolClass, str] | None:
    """The class of a parent's letter; a parent of children in two classes names it first."""
    if ctx.school_class is not None:
        return ctx.school_class, text
    classes = await membership.classes_of_person(ctx.uow, ctx.person.id)
    for school_class in classes:
        if text.startswith(school_class.name):
            return school_class, text[len(school_class.name):].strip()
    await ctx.reply("mailbox/which_class", classes=[c.name for c in classes])
    return None


# --- writing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Letter:
    body: str
    attachments: list[str]
    category: Category
    anonymous: bool
    to_school: bool


async def submit(ctx: PersonContext, school_class: SchoolClass, letter: Letter) -> None:
    uow = ctx.uow
    if letter.to_school and not await mailbox.principals(uow):
        await ctx.reply("mailbox/unavailable")
        return
    ticket = await mailbox.open_ticket(
        uow, school_class=school_class, sender_id=ctx.person.id, category=letter.category,
        anonymous=letter.anonymous, body=letter.body, attachments=letter.attachments,
        to_school=letter.to_school)
    await mailbox_staff.notify_recipients(ctx, ticket, "new")
    await ctx.reply("mailbox/submitted", ticket=ticket, tz=school_class.timezone,
                    due=mailbox.reply_due(uow, ticket, school_class.timezone),
                    recipient="principal" if letter.to_school else "head_teacher")


def _is_staff(ctx: PersonContext) -> bool:
    return bool(ctx.roles & MAILBOX_STAFF)


async def _write(ctx: PersonContext, args: LetterArgs, category: Category = Category.LETTER, *,
                 anonymous: bool = False, to_school: bool = False) -> None:
    if not ctx.roles & FAMILIES:
        await ctx.reply_usage("mailbox")
        return
    found = await family_class(ctx, args.body)
    if found is None:
        return
    school_class, body = found
    attachments = list(ctx.event.attachments)
    if not body and not attachments:
        await ctx.reply_usage("mailbox")
        return
    await submit(ctx, school_class, Letter(body, attachments, args.category or category,
                                           anonymous or args.anonymous,
                                           to_school or args.to_school))


async def mailbox_command(ctx: PersonContext, args: LetterArgs) -> None:
    """#信箱: staff list or open tickets; parents write a letter."""
    code = mailbox.parse_code(args.body)
    if _is_staff(ctx) and (not args.body or code):
        await mailbox_staff.view(ctx, code)
        return
    await _write(ctx, args)


async def complaint(ctx: PersonContext, args: LetterArgs) -> None:
    await _write(ctx, args, Category.COMPLAINT)


async def suggest(ctx: PersonContext, args: LetterArgs) -> None:
    await _write(ctx, args, Category.SUGGESTION)


async def ask(ctx: PersonContext, args: LetterArgs) -> None:
    await _write(ctx, args, Category.QUESTION)


async def anonymous(ctx: PersonContext, args: LetterArgs) -> None:
    await _write(ctx, args, anonymous=True)


async def principal_mailbox(ctx: PersonContext, args: LetterArgs) -> None:
    await _write(ctx, args, to_school=True)


# --- a parent's own tickets ----------------------------------------------------------------

async def own_ticket(ctx: PersonContext, code: str | None) -> Ticket | None:
    """The parent's ticket by code, or their latest open one; only ever their own."""
    tickets = await mailbox.for_parent(ctx.uow, ctx.person.id, code=code)
    if code is None:
        tickets = [t for t in tickets if t.status != Status.RESOLVED]
    if not tickets:
        await ctx.reply("mailbox/not_found", code=code)
        return None
    return tickets[0]


async def add(ctx: PersonContext, args: CodeTextArgs) -> None:
    ticket = await own_ticket(ctx, args.code)
    if ticket is None:
        return
    if not args.text:
        await ctx.reply_usage("add")
        return
    await mailbox.add_entry(ctx.uow, ticket, "addition", args.text)
    await mailbox_staff.notify_recipients(ctx, ticket, "addition", text=args.text)
    await ctx.reply("mailbox/added", ticket=ticket)


async def my_tickets(ctx: PersonContext, _args: Args) -> None:
    tickets = await mailbox.for_parent(ctx.uow, ctx.person.id)
    await ctx.reply("mailbox/mine", tickets=tickets, tz=ctx.tz)


class RateArgs(Args):
    code: str | None = None
    rating: Rating
    reason: str = ""

    @classmethod
    def from_text(cls, rest: str) -> RateArgs:
        first, _, after = rest.strip().partition(" ")
        code = mailbox.parse_code(first)
        if code:
            first, _, after = after.strip().partition(" ")
        if first.lower() not in RATINGS:
            raise UsageError("rating must be 满意, 基本满意 or 不满意")
        return cls(code=code, rating=RATINGS[first.lower()], reason=checked_body(after.strip()))


async def _rate(ctx: PersonContext, ticket: Ticket, rating: Rating, reason: str) -> None:
    if ticket.status != Status.RESOLVED:
        await ctx.reply("mailbox/rated", ticket=ticket, rating=None)
        return
    await mailbox.rate(ctx.uow, ticket, rating, reason)
    await mailbox_staff.notify_recipients(ctx, ticket, "rating", text=reason)
    await ctx.reply("mailbox/rated", ticket=ticket, rating=rating)


async def rate(ctx: PersonContext, args: RateArgs) -> None:
    """#评价 [X-0012] 不满意 [理由]; without a code, the ticket whose result was just sent."""
    if args.code is not None:
        ticket = await own_ticket(ctx, args.code)
    else:
        pending = await mailbox.conversation(ctx.uow, ctx.person.id, mailbox.RATING)
        ticket = await ctx.uow.session.get(Ticket, pending.ref_id) if pending else None
        if ticket is None:
            await ctx.reply("mailbox/not_found", code=None)
    if ticket is not None:
        await _rate(ctx, ticket, args.rating, args.reason)


# --- a plain private message: answer a pending question, or offer it to the mailbox ----------

async def private_message(ctx: PersonContext) -> None:
    """A parent's plain private message is offered to the mailbox (see the Fallback below)."""
    classes = [c for c in await membership.classes_of_person(ctx.uow, ctx.person.id)
               if PARENT in await membership.roles_in(ctx.uow, ctx.person.id, c.id)]
    if not classes:
        await private_hello(ctx)
        return
    text = ctx.event.text.strip()
    word = text.lower().rstrip("。.!！")
    uow, person_id = ctx.uow, ctx.person.id
    first, _, reason = text.partition(" ")
    rating = await mailbox.conversation(uow, person_id, mailbox.RATING)
    if rating is not None and first.lower() in RATINGS:
        ticket = await uow.session.get(Ticket, rating.ref_id)
        if ticket is not None:
            await _rate(ctx, ticket, RATINGS[first.lower()], reason.strip())
            return
    offer = await mailbox.conversation(uow, person_id, mailbox.OFFER)
    if offer is not None and word in (*YES, *ANON, *NO):
        await mailbox.end_conversation(uow, person_id, mailbox.OFFER)
        if word in NO:
            await ctx.reply("mailbox/offer_declined")
            return
        school_class = next((c for c in classes if c.id == offer.class_id), classes[0])
        await submit(ctx, school_class, Letter(
            offer.payload.get("text", ""), list(offer.payload.get("attachments", [])),
            Category.LETTER, word in ANON, False))
        return
    if len(classes) > 1:
        await private_hello(ctx)  # which class the letter is for: they use #信箱 班级 …
        return
    parts = list(offer.payload.get("parts", [])) if offer else []
    attachments = [*(offer.payload.get("attachments", []) if offer else []),
                   *ctx.event.attachments]
    parts.append(text)
    body = "\n".join(p for p in parts if p)
    if len(body) > MAX_BODY:
        await ctx.reply_usage("mailbox")
        return
    await mailbox.start_conversation(
        uow, person_id, mailbox.OFFER, class_id=classes[0].id,
        minutes=uow.config.mailbox.offer_expires_minutes,
        payload={"text": body, "parts": parts, "attachments": attachments})
    await ctx.reply("mailbox/offer", parts=len(parts),
                    minutes=uow.config.mailbox.offer_expires_minutes)


# --- due work ------------------------------------------------------------------------------

async def expire_conversation(m: Messenger, job: ScheduledJob) -> None:
    await mailbox.expire_conversation(m.uow, job.ref_id or 0)


router = Router(
    commands=(
        # Parents write; the recipients list and view.
        private_command("mailbox", ("信箱", "家长信箱"), ("mailbox",), mailbox_command,
                        LetterArgs, roles=FAMILIES | MAILBOX_STAFF),
        private_command("complaint", ("投诉",), ("complaint",), complaint, LetterArgs,
                        roles=FAMILIES),
        private_command("suggest", ("建议",), ("suggest",), suggest, LetterArgs,
                        roles=FAMILIES),
        private_command("ask", ("咨询",), ("ask",), ask, LetterArgs, roles=FAMILIES),
        private_command("anonymous", ("匿名",), ("anonymous",), anonymous, LetterArgs,
                        roles=FAMILIES),
        private_command("principal_mailbox", ("校长信箱",), ("principal",), principal_mailbox,
                        LetterArgs, roles=FAMILIES),
        private_command("add", ("补充",), ("add",), add, CodeTextArgs, roles=FAMILIES),
        private_command("my_tickets", ("我的信箱",), ("mytickets",), my_tickets,
                        roles=FAMILIES),
        private_command("rate", ("评价",), ("rate",), rate, RateArgs, roles=FAMILIES),
    ),
    jobs={mailbox.EXPIRY_JOB: expire_conversation},
    # A registered parent's plain private message; anyone else's gets help's hello.
    fallbacks=(Fallback("mailbox_offer", private_message, roles=frozenset({PARENT})),),
)
