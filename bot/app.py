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
from services import jobs, outbox, roster, seeding, unreachable, weekly
from services.uow import UnitOfWork

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
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.pipeline = EventPipeline(self.db, clock, config, self.renderer, self.table,
                                      {c.name: c.capabilities for c in channels})
        self.sender = OutboxSender(self.db, self.channels, clock, self.renderer,
                                     on_unreachable=self._private_chat_refused)
        self.due = DueWorkRunner(self.db, clock, config, self.renderer, self.table.jobs,
                                 self.worker, {c.name: c.capabilities for c in channels})
        self._ticker: Ticker | None = None
        self._settle_lock = asyncio.Lock()

    async def start(self, *, background: bool = True) -> None:
        """Prepare the database, then listen. `background=False`: the caller drives `settle()`
        (scripts and tests), so output order is exactly the order of the input."""
        await self.upgrade_schema()
        await self.seed()
        resent = await outbox.requeue_interrupted(self.db)
        rerun = await jobs.requeue_interrupted(self.db)
        if resent or rerun:
            log.warning("after a crash: %s message(s) and %s job(s) resumed", resent, rerun)
        for channel in self.channels.values():
            await channel.start(self.handle_event)
        # A channel may learn what it can do only once connected (Telegram: the bot's
        # username, for private links), so the pipeline reads the capabilities again.
        self.pipeline.capabilities = {c.name: c.capabilities for c in self.channels.values()}
        if background:
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

    async def handle_event(self, event: Event) -> str | None:
        toast = await self.pipeline.handle(event)
        self.sender.kick()
        return toast

    async def _private_chat_refused(self, row: OutboxMessage) -> None:
        text = self.renderer.render("common/unreachable_fallback", text=row.text)
        async with UnitOfWork(self.db, self.clock, self.config) as uow:
            await unreachable.private_chat_refused(uow, row, text)
        self.sender.kick()

    async def tick(self) -> None:
        await self.due.run_due()
        self.sender.kick()

    async def settle(self) -> None:
        """Run everything due now and deliver everything sendable, until nothing is left."""
        async with self._settle_lock:
            while (await self.due.run_due()) + (await self.sender.drain()):
                pass

    async def stop(self) -> None:
        if self._ticker:
            self._ticker.stop()
        await self.sender.stop()
        for channel in self.channels.values():
            await channel.stop()
        await self.db.dispose()
