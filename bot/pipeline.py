"""One incoming event → one transaction: de-duplicate, identify, guard, handle, answer."""

from __future__ import annotations

import logging

from core.channel import Capabilities
from core.clock import Clock
from core.config import Config
from core.events import ChatChange, ChatKind, Event, EventKind
from core.permissions import PERMISSIONS, ROLES, allowed
from core.render import Renderer
from kit.context import Context
from kit.router import CommandTable, Match, Scope, UsageError, parse_args
from models import Database, Person
from services import class_groups, identities, inbound, membership
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


class EventPipeline:
    def __init__(self, db: Database, clock: Clock, config: Config, renderer: Renderer,
                 table: CommandTable, capabilities: dict[str, Capabilities]) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.renderer = renderer
        self.table = table
        self.capabilities = capabilities

    async def handle(self, event: Event) -> str | None:
        """Returns the toast for a button press (None for ordinary messages)."""
        try:
            async with UnitOfWork(self.db, self.clock, self.config) as uow:
                if not await inbound.claim(uow, event):
                    log.info("duplicate delivery dropped: %s/%s", event.channel, event.message_id)
                    return None
                if event.change is not None:
                    await self._chat_changed(uow, event)
                    return None
                toast = await self._handle(uow, event)
        except Exception:
            log.exception("handling failed: channel=%s chat=%s message=%s",
                          event.channel, event.chat.chat_id, event.message_id)
            await self._apologise(event)
            return self.renderer.render("common/button_failed") if event.action else None
        if event.action:
            return toast or self.renderer.render("common/button_done")
        return None

    async def _handle(self, uow: UnitOfWork, event: Event) -> str | None:
        if event.kind is not EventKind.MESSAGE:
            await self._membership_change(uow, event)
            return None
        caps = self.capabilities.get(event.channel, Capabilities())
        identity = await identities.touch(uow, event,
                                          reachable_without_contact=not caps.private_needs_contact)
        match = self.table.match(event.action or event.text)
        ctx = Context(uow=uow, renderer=self.renderer, capabilities=self.capabilities,
                      event=event, identity=identity)
        if identity.person_id is not None:
            ctx.person = await uow.session.get(Person, identity.person_id)
        if match is None:
            if event.chat.kind is ChatKind.PRIVATE and self.table.private_fallback:
                await self._with_class(ctx)
                await self.table.private_fallback(ctx, None)
            else:
                log.debug("ignored (no command): %s/%s", event.channel, event.message_id)
            return None
        await self._run(ctx, match)
        return ctx.toast

    async def _chat_changed(self, uow: UnitOfWork, event: Event) -> None:
        """The bot added to / removed from a group, or the group got a new id: bindings follow."""
        if event.change is ChatChange.MIGRATED and event.new_chat_id:
            await class_groups.move(uow, event.chat, event.new_chat_id)
        elif event.change is ChatChange.LEFT:
            await class_groups.unbind(uow, event.chat)
        elif event.change is ChatChange.JOINED:
            ctx = Context(uow=uow, renderer=self.renderer, capabilities=self.capabilities,
                          event=event,
                          identity=await identities.touch(uow, event,
                                                          reachable_without_contact=False))
            bound = await class_groups.class_of_chat(uow, event.chat)
            await ctx.reply("common/joined_group", bound=bound.name if bound else None)

    async def _membership_change(self, uow: UnitOfWork, event: Event) -> None:
        """Someone joined or left a group: only groups bound to a class care."""
        handler = self.table.events.get(event.kind)
        ctx = Context(uow=uow, renderer=self.renderer, capabilities=self.capabilities, event=event)
        ctx.school_class = await class_groups.class_of_chat(uow, event.chat)
        if handler is None or ctx.school_class is None:
            log.debug("ignored %s in %s/%s (no handler or group not bound)", event.kind,
                      event.channel, event.chat.chat_id)
            return
        await handler(ctx, event.members)

    async def _with_class(self, ctx: Context) -> list[str]:
        """Find the class the event is about; returns the sender's class names if ambiguous."""
        assert ctx.event is not None
        uow = ctx.uow
        if ctx.event.chat.kind is ChatKind.GROUP:
            ctx.school_class = await class_groups.class_of_chat(uow, ctx.event.chat)
            return []
        if ctx.person is None:
            return []
        classes = await membership.classes_of_person(uow, ctx.person.id)
        if len(classes) == 1:
            ctx.school_class = classes[0]
        return [c.name for c in classes] if len(classes) > 1 else []

    async def _roles(self, ctx: Context) -> frozenset[str]:
        person_id = ctx.person.id if ctx.person else None
        if ctx.school_class is not None:
            return await membership.roles_in(ctx.uow, person_id, ctx.school_class.id)
        if person_id is None:
            return frozenset({"guest"})
        roles: set[str] = await membership.school_roles(ctx.uow, person_id)
        for school_class in await membership.classes_of_person(ctx.uow, person_id):
            roles |= await membership.roles_in(ctx.uow, person_id, school_class.id)
        return frozenset(roles or {"guest"})

    async def _run(self, ctx: Context, match: Match) -> None:
        assert ctx.event is not None
        target = match.command or match.phrase
        assert target is not None
        is_group = ctx.event.chat.kind is ChatKind.GROUP
        if target.scope is Scope.GROUP and not is_group:
            if match.command:
                await ctx.reply("common/group_only", command=match.command.name)
            return
        if target.scope is Scope.PRIVATE and is_group:
            if match.command:
                await ctx.reply("common/private_only", command=match.command.name)
            return
        ambiguous = await self._with_class(ctx)
        if target.needs_class and ctx.school_class is None:
            if match.command is None:
                return  # a stray 收到 where no class is known is just chatter
            if ambiguous:
                await ctx.reply("common/which_class", classes=ambiguous)
            elif is_group:
                await ctx.reply("common/group_not_bound")
            else:
                await ctx.reply("common/not_registered")
            return
        ctx.roles = await self._roles(ctx)
        if not allowed(target.name, ctx.roles):
            if match.command:
                await ctx.reply("common/not_allowed", command=match.command.name,
                                roles=sorted(ctx.roles),
                                allowed=[r for r in ROLES if r in PERMISSIONS[target.name]])
            elif ctx.roles == {"guest"} and ctx.identity and ctx.identity.private_reachable:
                # An unregistered parent's 收到 counts for nobody: tell them quietly, not the group.
                await ctx.reply("common/register_first", private=True)
            return
        if match.phrase is not None:
            await match.phrase.handler(ctx, match.rest)
            return
        command = match.command
        assert command is not None
        try:
            args = parse_args(command, match.rest)
        except UsageError as exc:
            log.debug("usage error for %s: %s", command.name, exc)
            await ctx.reply("common/usage", command=command.name)
            return
        await command.handler(ctx, args)

    async def _apologise(self, event: Event) -> None:
        try:
            async with UnitOfWork(self.db, self.clock, self.config) as uow:
                await inbound.claim(uow, event)
                identity = await identities.touch(uow, event, reachable_without_contact=False)
                ctx = Context(uow=uow, renderer=self.renderer, capabilities=self.capabilities,
                      event=event, identity=identity)
                ctx._answers = 100  # keys distinct from any partial answer
                await ctx.reply("common/internal_error")
        except Exception:
            log.exception("could not even apologise for message %s", event.message_id)
