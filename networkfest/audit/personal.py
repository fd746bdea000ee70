"""The audit log's part of a person's data: the entries by them or about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from networkfest.audit.models import AuditEntry
from networkfest.formatting import iso_or_none
from networkfest.types import DbSession

DELETED = "a deleted person"


def export(db: DbSession, user: Any) -> dict[str, Any]:
    entries = db.scalars(
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.actor_id == user.id,
                AuditEntry.subject_id == user.id,
                AuditEntry.target == user.email,
            )
        )
        .order_by(AuditEntry.id)
    )
    return {
        "audit_log": [
            {
                "action": e.action,
                "by_you": e.actor_id == user.id,
                "about_you": e.subject_id == user.id or e.target == user.email,
                "detail": e.detail,
                "created_at": iso_or_none(e.created_at),
            }
            for e in entries
        ]
    }


def erase(db: DbSession, user: Any, now: datetime) -> None:
    """Entries keep what was done, not who: ids go with the account (ON DELETE SET NULL),
    and an address written into an older entry is replaced."""
    db.execute(
        update(AuditEntry)
        .where(AuditEntry.target == user.email)
        .values(target=DELETED)
        .execution_options(synchronize_session=False)
    )
