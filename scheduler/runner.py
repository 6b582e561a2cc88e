"""Runs due jobs: claim atomically, do the work and mark it done in one transaction."""

from __future__ import annotations

import logging

from core.channel import Capabilities
from core.clock import Clock
from core.config import Config
from core.render import Renderer
from kit.context import Messenger
from kit.jobs import BatchJob
from kit.router import JobHandler
from models import Database, ScheduledJob
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
            together: dict[str, list[ScheduledJob]] = {}
            for job in claimed:
                handler = self.handlers.get(job.kind)
                if isinstance(handler, BatchJob):
                    together.setdefault(job.kind, []).append(job)
                else:
                    await self._run_one(job)
            for kind, group in together.items():
                await self._run_batch(kind, group)
            done += sum(1 for job in claimed if job.kind in self.handlers)

    async def _run_one(self, job: ScheduledJob) -> None:
        """The job in its own transaction: done with its work, or failed and rolled back."""
        handler = self.handlers.get(job.kind)
        if handler is None:
            log.error("job %s: no handler for kind %r", job.id, job.kind)
            await jobs.fail(self.db, job.id, self.clock.now(), "unknown kind")
            return
        try:
            async with UnitOfWork(self.db, self.clock, self.config) as uow:
                await handler(Messenger(uow, self.renderer, self.capabilities,
                                        cause=f"job:{job.id}"), job)
                await jobs.finish(uow, job.id)
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            await jobs.fail(self.db, job.id, self.clock.now(), repr(exc))

    async def _run_batch(self, kind: str, group: list[ScheduledJob]) -> None:
        """The claim's jobs of a batch kind in one transaction (kit/jobs.py): the handler says
        which failed; those are marked failed and the rest done, together with their work. If
        the transaction itself fails, each job runs alone as any other job would."""
        handler = self.handlers[kind]
        assert isinstance(handler, BatchJob)
        try:
            async with UnitOfWork(self.db, self.clock, self.config) as uow:
                failed = await handler.batch(Messenger(uow, self.renderer, self.capabilities,
                                                       cause=f"job:{group[0].id}"), group)
                await jobs.finish_many(uow, [job.id for job in group if job.id not in failed])
                for job_id, error in failed.items():
                    await jobs.finish(uow, job_id, "failed", error[:200])
        except Exception:
            log.exception("%d %s jobs failed together: running them one by one",
                          len(group), kind)
            for job in group:
                await self._run_one(job)
