"""Record organiser and host actions; callers commit with their own unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as DbSession

from networkfest.audit.models import AuditEntry


def record(
    db: DbSession,
    *,
    actor_id: int | None,
    action: str,
    target: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id, action=action, target=target, detail=detail or {}, created_at=now
    )
    db.add(entry)
    return entry
