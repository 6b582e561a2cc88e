"""Wiring: config + channels + clock → the running bot (pipeline, outbox sender, due work)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid

from bot.pipeline import EventPipeline
from bot.sender import OutboxSender
from core.channel import Channel
from core.clock import Clock
from core.config import Config
from core.events import Event
from core.permissions import PRINCIPAL
from core.render import Renderer
from handlers import command_table
from kit.router import CommandTable
from models import Database, OutboxMessage, migrate
from scheduler.runner import DueWorkRunner
from scheduler.ticker import Ticker
from services import monthly, roster, seeding, unreachable, weekly
from services.leases import Lease
from services.uow import ReplyClaim, UnitOfWork

log = logging.getLogger(__name__)


class ClassBot:
    def __init__(self, config: Config, channels: list[Channel], clock: Clock, *,
                 db: Database | None = None, worker: str | None = None,
                 table: CommandTable | None = None) -> None:
        """`table`: every feature's declarations (handlers/__init__.py) unless given."""
        self.config = config
        self.clock = clock
        self.db = db or Database(config.database_url)
        self.channels = {channel.name: channel for channel in channels}
        self.renderer = Renderer(config.language, bot_name=config.bot_name,
                                 school_name=config.school_name)
        self.table = table or command_table()
        self.worker = worker or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = Lease(self.db, clock, self.worker, self.channels, config.lease_seconds)
        self.pipeline = EventPipeline(self.db, clock, config, self.renderer, self.table,
                                      {c.name: c.capabilities for c in channels})
        self.sender = OutboxSender(self.db, self.channels, clock, self.renderer,
                                   worker=self.worker,
                                   on_unreachable=self._private_chat_refused)
        served = frozenset(self.channels)
        self.pipeline.replies_to = lambda: ReplyClaim(self.worker, served)
        self.pipeline.hand_over = self.sender.hand_over
        self.due = DueWorkRunner(self.db, clock, config, self.renderer, self.table.jobs,
                                 self.worker, {c.name: c.capabilities for c in channels})
        self._ticker: Ticker | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._settle_lock = asyncio.Lock()

    async def start(self, *, background: bool = True) -> None:
        """Prepare the database, then listen. `background=False`: the caller drives `settle()`
        (scripts and tests), so output order is exactly the order of the input."""
        await self.upgrade_schema()
        await self.seed()
        # Only what a dead process left (its lease expired) is taken over, never a live one's.
        await self.lease.beat()
        for channel in self.channels.values():
            await channel.start(self.handle_event)
        # A channel may learn what it can do only once connected (Telegram: the bot's
        # username, for private links), so the pipeline reads the capabilities again.
        self.pipeline.capabilities = {c.name: c.capabilities for c in self.channels.values()}
        if background:
            self._heartbeat = asyncio.create_task(self._beat(), name="lease-heartbeat")
            self.sender.start()
            self._ticker = Ticker(self.tick, self.config.tick_seconds)
            self._ticker.start()

    async def upgrade_schema(self) -> None:
        """Bring the database to the code's schema (migrations); say so when it changed one
        that had data, with the SQLite copy taken before."""
        done = await migrate.upgrade(self.db)
        if done.changed and done.before is not None:
            log.warning("%s", self.renderer.render("console/db_upgraded", before=done.before,
                                                   after=done.after, backup=done.backup,
                                                   changed=True))

    async def seed(self) -> None:
        async with UnitOfWork(self.db, self.clock, self.config) as uow:
            for seed in self.config.classes:
                await seeding.ensure_class(uow, seed, self.config.class_timezone(seed),
                                           list(self.channels))
            for principal in self.config.mailbox.principals:
                await seeding.ensure_school_role(uow, principal, PRINCIPAL, list(self.channels))
            for school_class in await roster.all_classes(uow):
                await weekly.ensure_scheduled(uow, school_class)
                await monthly.ensure_scheduled(uow, school_class)

    async def handle_event(self, event: Event) -> str | None:
        toast = await self.pipeline.handle(event)
        self.sender.kick()
        return toast

    async def _private_chat_refused(self, row: OutboxMessage) -> None:
        text = self.renderer.render("common/unreachable_fallback")
        async with UnitOfWork(self.db, self.clock, self.config) as uow:
            await unreachable.private_chat_refused(uow, row, text)
        self.sender.kick()

    async def _beat(self) -> None:
        """The lease heartbeat, apart from the ticker: a long burst of due work must not let
        this process's lease expire under it."""
        while True:
            await asyncio.sleep(self.lease.heartbeat_seconds)
            try:
                taken = await self.lease.beat()
            except Exception:
                log.exception("lease heartbeat failed")
                continue
            if taken.messages:
                self.sender.kick()

    async def tick(self) -> None:
        await self.due.run_due()
        self.sender.kick()

    async def settle(self) -> None:
        """Run everything due now and deliver everything sendable, until nothing is left."""
        async with self._settle_lock:
            if self.lease.due():  # the clock moved (scripts, tests): beat as the task would
                await self.lease.beat()
            while (await self.due.run_due()) + (await self.sender.drain()):
                pass

    async def stop(self) -> None:
        await self.pipeline.close()
        if self._ticker:
            self._ticker.stop()
        if self._heartbeat:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None
        await self.sender.stop()
        for channel in self.channels.values():
            await channel.stop()
        try:
            await self.lease.release()
        except Exception:  # the database went away: the lease simply expires
            log.exception("could not release the process lease")
        await self.db.dispose()
