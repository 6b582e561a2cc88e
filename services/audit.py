"""The audit trail of deletions: one line per request carried out, without personal data."""

from __future__ import annotations

from models import AuditLine
from services.uow import UnitOfWork


async def record(uow: UnitOfWork, action: str, *, by: str, class_id: int | None,
                 counts: dict[str, int]) -> None:
    """`counts` says how much went (rows per kind); never a name, an id of a person or a text."""
    uow.session.add(AuditLine(at=uow.now, action=action, by=by, class_id=class_id,
                              counts=dict(counts)))
    await uow.session.flush()
