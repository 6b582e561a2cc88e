"""Job kinds whose due rows run together: one unit of work for the rows of one claim.

Why: every class's weekly update falls due in the same minute; one transaction per class cost
a commit and a dozen statements each (issue 14). A `BatchJob` is declared in a router's `jobs`
like any job handler and still runs one row alone (`each`: a lone row, or every row of a batch
whose transaction failed); the due-work runner hands it all the rows of its kind in a claim
(`batch`), which returns the rows that failed, each with its error — the runner marks those
failed and the others done, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from kit.context import Messenger
from kit.router import JobHandler
from models import ScheduledJob

BatchHandler = Callable[[Messenger, Sequence[ScheduledJob]], Awaitable[dict[int, str]]]


@dataclass(frozen=True)
class BatchJob:
    each: JobHandler
    batch: BatchHandler

    async def __call__(self, m: Messenger, job: ScheduledJob) -> None:
        await self.each(m, job)
