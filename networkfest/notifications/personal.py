"""Notifications' part of a person's data: the notices shown to them, and what was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.notifications.models import Notice, Reminder
from networkfest.programme.personal import rows_with_session_slug
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    notices = db.scalars(select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))
    sent = rows_with_session_slug(db, Reminder, Reminder.user_id, user.id)
    return {
        "reminders_and_requests": [
            {"session": slug, "kind": r.kind, "sent_at": iso_or_none(r.sent_at)} for r, slug in sent
        ],
        "notices": [
            {
                "message": n.message,
                "created_at": iso_or_none(n.created_at),
                "seen_at": iso_or_none(n.seen_at),
            }
            for n in notices
        ],
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Nothing to do first: their notices go with the account (ON DELETE CASCADE)."""
