"""The class mailbox, parents' side: write (with category, 匿名, to the principal), the offer
for a plain private message (a declared question: 是 / 匿名 / 否), #补充, #我的信箱, #评价.

Every mailbox command is private-only: in a group the pipeline answers with a neutral pointer
and the text goes nowhere (nothing about the event but its platform id is stored).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.permissions import FAMILIES, MAILBOX_STAFF, PARENT
from handlers import mailbox_staff
from handlers.help import private_hello
from handlers.mailbox_staff import (
    MAX_BODY,
    RATING,
    RATINGS,
    CodeTextArgs,
    checked_body,
    rate_ticket,
)
from kit.context import MemberContext, PersonContext
from kit.conversation import Answer, Choice, Question, ask_here, open_question
from kit.router import Args, Router, UsageError, private_command
from models import SchoolClass, Ticket
from services import mailbox, membership, questions
from services.mailbox import Category, Rating, Status

PREFIXES = {"匿名": "anonymous", "投诉": Category.COMPLAINT, "建议": Category.SUGGESTION,
            "咨询": Category.QUESTION, "校长信箱": "school", "信箱": None}


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
    """#信箱: staff list their open tickets; parents write a letter. (`#信箱 X-0012` never
    gets here: the pipeline hands a named letter to letter_lookup.)"""
    if _is_staff(ctx) and not args.body:
        await mailbox_staff.view(ctx, None)
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


# --- a letter named in a private message: only ever one's own --------------------------------

async def letter_lookup(ctx: PersonContext, ref: mailbox.LetterRef) -> None:
    """Any private command or message naming a letter (`#信箱 X-0001`, `#投诉 1`, `X-0001
    怎么样了`) lands here instead of being sent on: staff see the letters they handle (without
    an anonymous sender), anyone else only the letters they wrote. Another family's letter
    gets the very answer a letter that does not exist gets, so nothing is learnt about it."""
    if _is_staff(ctx):
        handled = await mailbox.for_staff(ctx.uow, ctx.person.id, code=ref.code)
        codes = {t.code for t in handled if ref.code or t.number == ref.number}
        if len(codes) == 1:
            await mailbox_staff.view(ctx, codes.pop())
            return
    ticket = await mailbox.own_letter(ctx.uow, ctx.person.id, ref)
    if ticket is None:
        await ctx.reply("mailbox/not_found", code=ref.label)
        return
    await ctx.reply("mailbox/own_letter", ticket=ticket,
                    thread=await mailbox.thread(ctx.uow, ticket),
                    tz=await mailbox.class_tz(ctx.uow, ticket))


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


async def rate(ctx: PersonContext, args: RateArgs) -> None:
    """#评价 [X-0012] 不满意 [理由]; without a code, the ticket whose result was just sent here."""
    if args.code is not None:
        ticket = await own_ticket(ctx, args.code)
    else:
        asked = await open_question(ctx, RATING)
        ticket = await ctx.uow.session.get(Ticket, asked.ref_id or 0) if asked else None
        if ticket is None:
            await ctx.reply("mailbox/not_found", code=None)
    if ticket is not None:
        await rate_ticket(ctx, ticket, args.rating, args.reason)


# --- a plain private message: offered to the mailbox -----------------------------------------

@dataclass(frozen=True)
class Held:
    """A parent's plain private messages, held until they say what to do with them."""

    school_class: SchoolClass
    parts: list[str]
    attachments: list[str]

    @property
    def text(self) -> str:
        return "\n".join(p for p in self.parts if p)

    @property
    def payload(self) -> dict[str, object]:
        return {"text": self.text, "parts": self.parts, "attachments": self.attachments}


async def held_message(ctx: PersonContext) -> Held | None:
    """This message added to the ones held by the question still open here (the mailbox
    offer, or the offer to pass it to the head teacher): together they are one message. None,
    after answering, when it cannot be held (not a parent of exactly one class, too long)."""
    classes = [c for c in await membership.classes_of_person(ctx.uow, ctx.person.id)
               if PARENT in await membership.roles_in(ctx.uow, ctx.person.id, c.id)]
    if len(classes) != 1:
        # Not a parent after all, or which class the letter is for: they use #信箱 班级 …
        await private_hello(ctx)
        return None
    asked = await questions.pending(ctx.uow, ctx.person.id, ctx.event.chat)
    held = asked.payload if asked is not None else {}
    parts = [*held.get("parts", []), ctx.event.text.strip()]
    attachments = [*held.get("attachments", []), *ctx.event.attachments]
    message = Held(classes[0], parts, attachments)
    if len(message.text) > MAX_BODY:
        await ctx.reply_usage("mailbox")
        return None
    return message


async def offer(ctx: PersonContext, message: Held) -> None:
    """Ask whether the held message goes to the class mailbox (是 / 匿名 / 否)."""
    await ask_here(ctx, OFFER, "mailbox/offer", class_id=message.school_class.id,
                   payload=message.payload, parts=len(message.parts),
                   minutes=ctx.uow.config.mailbox.offer_expires_minutes)


async def offer_answered(ctx: MemberContext, answer: Answer) -> None:
    """是 submits the held text to the class it was offered for, 匿名 anonymously; 否 drops it
    (answered questions are deleted with what they held)."""
    if answer.value == "no":
        await ctx.reply("mailbox/offer_declined")
        return
    await submit(ctx, ctx.school_class, Letter(
        answer.payload.get("text", ""), list(answer.payload.get("attachments", [])),
        Category.LETTER, answer.value == "anonymous", False))


OFFER = Question("mailbox_offer", offer_answered, needs_class=True,
                 expires_minutes=lambda config: config.mailbox.offer_expires_minutes,
                 choices=(Choice("yes", ("是", "yes", "提交")),
                          Choice("anonymous", ("匿名", "anonymous", "匿名提交")),
                          Choice("no", ("否", "no", "不", "不用"))),
                 yes="yes", no="no")


router = Router(
    commands=(
        # Parents write; the recipients list and view.
        private_command("mailbox", ("信箱", "家长信箱"), ("mailbox",), mailbox_command,
                        LetterArgs, roles=FAMILIES | MAILBOX_STAFF, letter_numbers=True),
        private_command("complaint", ("投诉",), ("complaint",), complaint, LetterArgs,
                        roles=FAMILIES, letter_numbers=True),
        private_command("suggest", ("建议",), ("suggest",), suggest, LetterArgs,
                        roles=FAMILIES, letter_numbers=True),
        private_command("ask", ("咨询",), ("ask",), ask, LetterArgs, roles=FAMILIES,
                        letter_numbers=True),
        private_command("anonymous", ("匿名",), ("anonymous",), anonymous, LetterArgs,
                        roles=FAMILIES, letter_numbers=True),
        private_command("principal_mailbox", ("校长信箱",), ("principal",), principal_mailbox,
                        LetterArgs, roles=FAMILIES, letter_numbers=True),
        private_command("add", ("补充",), ("add",), add, CodeTextArgs, roles=FAMILIES,
                        own_code=True),
        private_command("my_tickets", ("我的信箱",), ("mytickets",), my_tickets,
                        roles=FAMILIES),
        private_command("rate", ("评价",), ("rate",), rate, RateArgs, roles=FAMILIES,
                        own_code=True),
    ),
    questions=(OFFER,),
    letter_lookup=letter_lookup,
)
