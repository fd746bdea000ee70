"""Record organiser and host actions; callers commit with their own unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from networkfest.audit.models import AuditEntry
from networkfest.audit.rules import AuditAction
from networkfest.types import DbSession


def record(
    db: DbSession,
    *,
    actor_id: int | None,
    action: AuditAction,
    target: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
    subject_id: int | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target=target,
        subject_id=subject_id,
        detail=detail or {},
        created_at=now,
    )
    db.add(entry)
    return entry


@dataclass(frozen=True)
class AuditPage:
    """One page of the log, newest first, with what the page needs to link to its neighbours."""

    entries: list[AuditEntry]
    page: int
    pages: int
    total: int
    action: str


def entries(db: DbSession, *, action: str = "", page: int = 1, per_page: int = 50) -> AuditPage:
    """The log, newest first, optionally for one action; a page past the end is the last page."""
    filters = [AuditEntry.action == action] if action else []
    total = db.scalar(select(func.count(AuditEntry.id)).where(*filters)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.scalars(
        select(AuditEntry)
        .where(*filters)
        .options(selectinload(AuditEntry.actor), selectinload(AuditEntry.subject))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return AuditPage(entries=list(rows), page=page, pages=pages, total=total, action=action)


def actions(db: DbSession) -> list[str]:
    """Every action the log holds, for the filter."""
    return list(db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
