"""Incoming events → transactions: de-duplicate, identify, guard, handle, answer.

Group commit (issue 14): an event that arrives while another is being written waits, and the
events that waited run together in one transaction, so a flood pays one BEGIN/COMMIT per batch
instead of one per message. When one of them fails, the batch runs again with each event in a
SAVEPOINT of its own, so the failing event is rolled back (and apologised for) alone while the
others commit; savepoints cost two statements an event, so only a batch that needs them pays.
An event that arrives alone runs alone (no savepoint). Replies a batch queues are handed to
the sender once the batch has committed (services/uow.ReplyClaim).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from core.channel import Capabilities
from core.clock import Clock
from core.config import Config
from core.events import ChatChange, ChatKind, Event, EventKind
from core.permissions import GUEST, PARENT
from core.privacy import account_tag
from core.reading.commands import command_word, strip_mentions, suggest
from core.render import Renderer
from kit.context import ChatEventContext, Context, PersonContext, narrow
from kit.router import Command, CommandTable, Match, Phrase, Scope, UsageError, parse_args
from models import Database, Identity, OutboxMessage, Person
from services import (
    class_groups,
    directory,
    family_admin,
    held,
    identities,
    inbound,
    mailbox,
    membership,
    questions,
    roster,
)
from services.uow import ReplyClaim, UnitOfWork

log = logging.getLogger(__name__)

MAX_BATCH = 100  # events in one transaction at most (a Telegram getUpdates page)


class EventPipeline:
    def __init__(self, db: Database, clock: Clock, config: Config, renderer: Renderer,
                 table: CommandTable, capabilities: dict[str, Capabilities]) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.renderer = renderer
        self.table = table
        self.capabilities = capabilities
        # Set by the app: replies go to the sender already claimed (UnitOfWork.reply_claim).
        self.replies_to: Callable[[], ReplyClaim] | None = None
        self.hand_over: Callable[[list[OutboxMessage], bool], None] | None = None
        self._busy = False  # an event or a batch is being written
        self._waiting: list[tuple[Event, asyncio.Future[str | None]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def handle(self, event: Event) -> str | None:
        """Returns the toast for a button press (None for ordinary messages)."""
        if self._busy:  # another event is being written: join the next batch
            future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
            self._waiting.append((event, future))
            return await future
        self._busy = True
        try:
            # Events handed over together (a getUpdates page, a webhook burst) are all ready
            # now: one turn of the loop lets them queue behind this one and share its
            # transaction. Without it a driver that never yields (models/inline.py) would
            # write each of them alone.
            await asyncio.sleep(0)
            joined, self._waiting = self._waiting[:MAX_BATCH - 1], self._waiting[MAX_BATCH - 1:]
            try:
                results = await self._batch([event, *(e for e, _ in joined)])
            except BaseException as exc:
                for _, future in joined:
                    if not future.done():
                        future.set_exception(exc)
                raise
            for (_, future), result in zip(joined, results[1:], strict=True):
                if not future.done():
                    future.set_result(result)
            return results[0]
        finally:
            if self._waiting:  # what arrived meanwhile: the next batches, off this caller
                self._draining = asyncio.create_task(self._drain(), name="pipeline-batches")
            else:
                self._busy = False

    async def close(self) -> None:
        """Wait for the batches still being written (a stopping bot)."""
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)

    async def _drain(self) -> None:
        """Write what waits, batch after batch, until nothing does."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                try:
                    results = await self._batch([event for event, _ in batch])
                except BaseException as exc:  # a cancellation (a bug is caught per event)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    raise
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            for _, future in self._waiting:  # cancelled: nobody is left to write them
                if not future.done():
                    future.cancel()
            self._waiting = []
            self._busy = False

    async def _batch(self, events: list[Event]) -> list[str | None]:
        """Events that arrived together: first all in one transaction with nothing around each
        (the common case — nothing fails — pays no SAVEPOINT/RELEASE per event); if any of
        them fails, that transaction is rolled back whole and the batch runs again with a
        savepoint per event, so the failing one is rolled back and apologised for alone."""
        if len(events) == 1:
            return [await self._alone(events[0])]
        try:
            return await self._in_one_transaction(events, self._together, ahead=True)
        except Exception:
            log.info("one of a batch of %s events failed; each runs in a savepoint", len(events))
        try:
            return await self._in_one_transaction(events, self._in_savepoint)
        except Exception:
            log.exception("a batch of %s events could not commit; each runs alone", len(events))
            return [await self._alone(event) for event in events]

    async def _in_one_transaction(
            self, events: list[Event], run: Callable[[UnitOfWork, Event], Awaitable[str | None]],
            *, ahead: bool = False) -> list[str | None]:
        """`run` for each event in one unit of work; its replies go to the sender once it
        has committed. `ahead`: the events' claims and senders first, for all at once."""
        claim = self.replies_to() if self.replies_to else None
        async with UnitOfWork(self.db, self.clock, self.config) as uow:
            uow.reply_claim = claim
            if ahead:
                await self._ahead(uow, events)
            results = [await run(uow, event) for event in events]
        self._hand_over(claim)
        return results

    async def _ahead(self, uow: UnitOfWork, events: list[Event]) -> None:
        """What every event of a batch starts with — its claim, its sender's account — as a
        statement or two for the whole batch rather than two per event: on PostgreSQL each
        was a round trip, most of a 收到's time in a flood (issue 14). The events then find
        theirs in memory (services/inbound.claim, services/identities.touch). Not in the
        savepoint pass: there each event's claim must roll back with its savepoint."""
        new = await inbound.claim_many(uow, events)
        await identities.touch_many(uow, [(event, self._reachable(event)) for event in new
                                          if event.change is None
                                          and event.kind is EventKind.MESSAGE])

    def _reachable(self, event: Event) -> bool:
        """Whether the bot may write privately to someone it has only seen in a group."""
        return not self.capabilities.get(event.channel, Capabilities()).private_needs_contact

    async def _together(self, uow: UnitOfWork, event: Event) -> str | None:
        uow.now = self.clock.now()
        return await self._event(uow, event)

    async def _alone(self, event: Event) -> str | None:
        claim = self.replies_to() if self.replies_to else None
        try:
            async with UnitOfWork(self.db, self.clock, self.config) as uow:
                uow.reply_claim = claim
                result = await self._event(uow, event)
        except Exception:
            self._log_failure(event)
            try:
                async with UnitOfWork(self.db, self.clock, self.config) as uow:
                    await self._apologise(uow, event)
            except Exception:
                log.exception("could not even apologise for message %s", event.message_id)
            return self._failed(event)
        self._hand_over(claim)
        return result

    async def _in_savepoint(self, uow: UnitOfWork, event: Event) -> str | None:
        """One event of a batch: its writes and its handed replies stand or fall together."""
        uow.now = self.clock.now()
        claim = uow.reply_claim
        handed = len(claim.rows) if claim is not None else 0
        queued = uow.pending_work()
        try:
            async with uow.session.begin_nested():
                return await self._event(uow, event)
        except Exception:
            self._log_failure(event)
        uow.drop_work_since(queued)  # a card refresh it asked for, say: its change is gone
        if claim is not None:
            del claim.rows[handed:]  # rolled back with the savepoint: never sent
        try:
            async with uow.session.begin_nested():
                await self._apologise(uow, event)
        except Exception:
            log.exception("could not even apologise for message %s", event.message_id)
            if claim is not None:
                del claim.rows[handed:]
        return self._failed(event)

    async def _event(self, uow: UnitOfWork, event: Event) -> str | None:
        if not await inbound.claim(uow, event):
            log.info("duplicate delivery dropped: %s/%s", event.channel, event.message_id)
            return None
        toast = None
        if event.change is not None:
            await self._chat_changed(uow, event)
        else:
            toast = await self._handle(uow, event)
        if event.action:
            return toast or self.renderer.render("common/button_done")
        return None

    def _hand_over(self, claim: ReplyClaim | None) -> None:
        if claim is not None and claim.rows and self.hand_over is not None:
            # committed: straight to the sender (first in its round when nothing else of the
            # unit waits in the outbox)
            self.hand_over(claim.rows, claim.others == 0)

    def _log_failure(self, event: Event) -> None:
        # A private chat's id is the person's account: a salted tag, never the id.
        chat = (account_tag(event.channel, event.chat.chat_id)
                if event.chat.kind is ChatKind.PRIVATE else event.chat.chat_id)
        log.exception("handling failed: channel=%s chat=%s message=%s",
                      event.channel, chat, event.message_id)

    def _failed(self, event: Event) -> str | None:
        return self.renderer.render("common/button_failed") if event.action else None

    async def _handle(self, uow: UnitOfWork, event: Event) -> str | None:
        if event.kind is not EventKind.MESSAGE:
            await self._membership_change(uow, event)
            return None
        identity = await identities.touch(uow, event,
                                          reachable_without_contact=self._reachable(event))
        event = self._without_mentions(event)
        ctx = self._context(uow, event, identity)
        if identity.person_id is not None:
            ctx.person = await directory.row(uow, Person, identity.person_id)
            # What could not reach them privately before goes out now, before the answer.
            await held.release(uow, identity, event.chat)
        await self._named_class(ctx)
        event = ctx.event
        text = event.action or event.text
        match = self.table.match(text, group=event.chat.kind is ChatKind.GROUP)
        if match is not None and match.command is not None:
            await self._run(ctx, match)
        elif (meant := self._did_you_mean(text)) is not None:
            await ctx.reply("common/did_you_mean", word=meant)
        elif await self._answer(ctx, text):
            pass  # the answer to the question this person was asked in this chat
        elif match is not None:
            await self._run(ctx, match)
        elif event.chat.kind is ChatKind.PRIVATE:
            await self._fallback(ctx)
        else:
            log.debug("ignored (no command): %s/%s", event.channel, event.message_id)
        return ctx.toast

    def _without_mentions(self, event: Event) -> Event:
        """`@所有人 #通知 …`, `@所有人 @李老师 #家长会 …`: WeChat users start with mentions; a
        command after them is the command, and handlers see the text without them. A message
        that is no command keeps its mentions (`@王老师 收到` is the answer's business)."""
        if event.action or not event.text.lstrip().startswith(("@", "＠")):
            return event
        text = strip_mentions(event.text)
        found = self.table.match(text)
        if found is None or found.command is None:
            return event
        return replace(event, text=text)

    def _did_you_mean(self, text: str) -> str | None:
        """`#未度` → `#未读`: an unknown word written as a command (after # or /) that is one
        slip from a command word. Plain chatter never gets this (no # or /, no suggestion)."""
        word = command_word(text)
        if word is None:
            return None
        if word.isascii():
            found = suggest(word, [s for c in self.table.commands for s in c.slash])
            return f"/{found}" if found else None
        found = suggest(word, [w for c in self.table.commands for w in c.words])
        return f"#{found}" if found else None

    def _context(self, uow: UnitOfWork, event: Event, identity: Identity) -> Context:
        return Context(uow=uow, renderer=self.renderer, capabilities=self.capabilities,
                       event=event, identity=identity, table=self.table)

    async def _chat_changed(self, uow: UnitOfWork, event: Event) -> None:
        """The bot added to / removed from a group, or the group got a new id: bindings follow."""
        if event.change is ChatChange.MIGRATED and event.new_chat_id:
            await class_groups.move(uow, event.chat, event.new_chat_id)
        elif event.change is ChatChange.LEFT:
            await class_groups.unbind(uow, event.chat)
        elif event.change is ChatChange.JOINED:
            identity = await identities.touch(uow, event, reachable_without_contact=False)
            bound = await class_groups.class_of_chat(uow, event.chat)
            await self._context(uow, event, identity).reply(
                "common/joined_group", bound=bound.name if bound else None)

    async def _membership_change(self, uow: UnitOfWork, event: Event) -> None:
        """Someone joined or left a group: only groups bound to a class care."""
        handler = self.table.events.get(event.kind)
        school_class = await class_groups.class_of_chat(uow, event.chat)
        if handler is None or school_class is None:
            log.debug("ignored %s in %s/%s (no handler or group not bound)", event.kind,
                      event.channel, event.chat.chat_id)
            return
        await handler(ChatEventContext(uow, self.renderer, self.capabilities, event=event,
                                       school_class=school_class), event.members)

    async def _named_class(self, ctx: Context) -> None:
        """Someone in several classes names one in a private message: `三年级二班 #通知 …` or
        `#通知 @三年级二班 …`. The name is taken out of the text and the class is set; every
        reply in that private chat then says which class it is about (Context.label_class)."""
        if ctx.event.chat.kind is not ChatKind.PRIVATE or ctx.person is None:
            return
        classes = await membership.classes_of_person(ctx.uow, ctx.person.id)
        if len(classes) < 2:
            return
        ctx.label_class = True
        text = ctx.event.text.strip()
        for school_class in sorted(classes, key=lambda c: len(c.name), reverse=True):
            name = school_class.name
            if text.startswith(name) and text[len(name):].strip():
                rest = text[len(name):].lstrip(" ：:，,")
            elif f"@{name}" in text:
                rest = text.replace(f"@{name} ", "", 1).replace(f"@{name}", "", 1).strip()
            else:
                continue
            ctx.school_class = school_class
            ctx.event = replace(ctx.event, text=rest)
            return

    async def _with_class(self, ctx: Context) -> list[str]:
        """Find the class the event is about; returns the sender's class names if ambiguous."""
        uow = ctx.uow
        if ctx.event.chat.kind is ChatKind.GROUP:
            ctx.school_class = await class_groups.class_of_chat(uow, ctx.event.chat)
            return []
        if ctx.person is None or ctx.school_class is not None:  # none, or named in the text
            return []
        classes = await membership.classes_of_person(uow, ctx.person.id)
        if len(classes) == 1:
            ctx.school_class = classes[0]
        return [c.name for c in classes] if len(classes) > 1 else []

    async def _awaiting_approval(self, ctx: Context, allowed: list[str]) -> list[str]:
        """A guest whose #登记 waits for the head teacher is told that, not to register, when
        what they tried is open to parents (a teacher's command is refused as usual)."""
        if ctx.roles != {GUEST} or ctx.person is None or PARENT not in allowed:
            return []
        return await family_admin.awaiting_approval(ctx.uow, ctx.person.id)

    async def _roles(self, ctx: Context) -> frozenset[str]:
        person_id = ctx.person.id if ctx.person else None
        if ctx.school_class is not None:
            return await membership.roles_in(ctx.uow, person_id, ctx.school_class.id)
        if person_id is None:
            return frozenset({GUEST})
        roles: set[str] = await membership.school_roles(ctx.uow, person_id)
        for school_class in await membership.classes_of_person(ctx.uow, person_id):
            roles |= await membership.roles_in(ctx.uow, person_id, school_class.id)
        return frozenset(roles or {GUEST})

    async def _answer(self, ctx: Context, text: str) -> bool:
        """Commands first; then the open question (kit/conversation.py) gets the message if it
        is one of its answers; anything else leaves the question open for phrases and the
        fallback (which may ask anew)."""
        if ctx.person is None:
            return False
        asked = await questions.pending(ctx.uow, ctx.person.id, ctx.event.chat)
        if asked is None or (question := self.table.questions.get(asked.name)) is None:
            return False
        answer = question.pick(text, asked)
        if answer is None:
            return False
        await questions.answered(ctx.uow, asked)
        if asked.class_id is not None:
            ctx.school_class = await roster.class_of_id(ctx.uow, asked.class_id)
        else:
            await self._with_class(ctx)
        if question.needs_class and ctx.school_class is None:
            log.info("question %s dropped: its class is gone", question.name)
            await self._fallback(ctx)
            return True
        ctx.roles = await self._roles(ctx)
        await question.handler(narrow(ctx, question.context), answer)
        return True

    async def _letter(self, ctx: Context, target: Command | Phrase | None, text: str) -> bool:
        """Privacy by construction: in a private chat, a command (or a plain message) that names
        a mailbox letter is a lookup of the sender's own letter, never text sent on to anyone
        (a new letter, a #私信) — so nobody can tie an anonymous letter to its author. Only
        commands that resolve the code themselves, among what their sender may see, keep it."""
        if (ctx.event.chat.kind is not ChatKind.PRIVATE or ctx.person is None
                or self.table.letter_lookup is None
                or (isinstance(target, Command) and target.own_code)):
            return False
        numbers = isinstance(target, Command) and target.letter_numbers
        ref = mailbox.parse_reference(text, numbers=numbers) or mailbox.reference_in(text)
        if ref is None:
            return False
        await self.table.letter_lookup(narrow(ctx, PersonContext), ref)
        return True

    async def _fallback(self, ctx: Context) -> None:
        """A private message that is no command: the narrowest fallback admitting the sender."""
        await self._with_class(ctx)
        ctx.roles = await self._roles(ctx)
        if await self._letter(ctx, None, ctx.event.text):
            return
        fallback = self.table.fallback_for(ctx.roles)
        if fallback is not None:
            await fallback.handler(narrow(ctx, fallback.context))

    async def _run(self, ctx: Context, match: Match) -> None:
        """The declaration's guards (scope, class, roles), then its handler with the context
        the declaration guarantees."""
        target = match.target
        is_group = ctx.event.chat.kind is ChatKind.GROUP
        if target.scope is Scope.GROUP and not is_group:
            if match.command:
                await ctx.reply("common/group_only", command=match.command)
            else:
                await self._fallback(ctx)  # a private message always gets an answer
            return
        if target.scope is Scope.PRIVATE and is_group:
            if match.command:
                await ctx.reply("common/private_only", command=match.command)
            return
        ambiguous = await self._with_class(ctx)
        if target.needs_class and ctx.school_class is None:
            if match.command is None:
                # A stray 收到 where no class is known is just chatter; privately, the
                # fallback answers it (nobody registered writing privately is left unanswered).
                if not is_group:
                    await self._fallback(ctx)
                return
            if ambiguous:
                await ctx.reply("common/which_class", classes=ambiguous)
            elif is_group:
                await ctx.reply("common/group_not_bound")
            else:
                await ctx.reply("common/not_registered")
            return
        ctx.roles = await self._roles(ctx)
        if not target.allows(ctx.roles):
            refused = match.command.refused if match.command else None
            if refused is not None and await refused(ctx):
                return
            waiting = await self._awaiting_approval(ctx, target.allowed_roles)
            if waiting:
                await ctx.reply("common/awaiting_approval", classes=waiting,
                                private=match.command is None)
                return
            if match.command:
                await ctx.reply("common/not_allowed", command=match.command,
                                roles=sorted(ctx.roles), allowed=target.allowed_roles)
            elif ctx.roles == {GUEST} and ctx.identity.private_reachable:
                # An unregistered parent's 收到 counts for nobody: tell them quietly, not the group.
                await ctx.reply("common/register_first", private=True)
            elif not is_group:
                await self._fallback(ctx)  # a teacher's private 好的: the fallback answers
            return
        if await self._letter(ctx, target, match.rest):
            return
        if isinstance(target, Phrase):
            await target.handler(narrow(ctx, target.context), match.rest)
            return
        try:
            args = parse_args(target, match.rest)
        except UsageError as exc:
            log.debug("usage error for %s: %s", target.name, exc)
            await ctx.reply("common/usage", command=target)
            return
        await target.handler(narrow(ctx, target.context), args)

    async def _apologise(self, uow: UnitOfWork, event: Event) -> None:
        await inbound.claim(uow, event)
        identity = await identities.touch(uow, event, reachable_without_contact=False)
        ctx = self._context(uow, event, identity)
        ctx.replies.count = 100  # keys distinct from any partial answer
        await ctx.reply("common/internal_error")
