"""Runs due jobs: claim atomically, do the work and mark it done in one transaction."""

from __future__ import annotations

import logging

from core.channel import Capabilities
from core.clock import Clock
from core.config import Config
from core.render import Renderer
from kit.context import Messenger
from kit.router import JobHandler
from models import Database
from services import jobs
from services.uow import UnitOfWork

log = logging.getLogger(__name__)


class DueWorkRunner:
    def __init__(self, db: Database, clock: Clock, config: Config, renderer: Renderer,
                 handlers: dict[str, JobHandler], worker: str,
                 capabilities: dict[str, Capabilities] | None = None) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.renderer = renderer
        self.handlers = handlers
        self.worker = worker
        self.capabilities = capabilities or {}

    async def run_due(self) -> int:
        """Run every job due now; returns how many ran. Safe to call from many processes."""
        done = 0
        while True:
            claimed = await jobs.claim_due(self.db, self.clock.now(), self.worker)
            if not claimed:
                return done
            for job in claimed:
                handler = self.handlers.get(job.kind)
                if handler is None:
                    log.error("job %s: no handler for kind %r", job.id, job.kind)
                    await jobs.fail(self.db, job.id, self.clock.now(), "unknown kind")
                    continue
                try:
                    async with UnitOfWork(self.db, self.clock, self.config) as uow:
                        await handler(Messenger(uow, self.renderer, self.capabilities,
                                                cause=f"job:{job.id}"), job)
                        await jobs.finish(uow, job.id)
                except Exception as exc:
                    log.exception("job %s (%s) failed", job.id, job.kind)
                    await jobs.fail(self.db, job.id, self.clock.now(), repr(exc))
                done += 1
