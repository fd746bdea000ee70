"""Claims: anything that must happen once per person across processes and restarts (a
reminder, a feedback request, a change notice, an outcomes mail) is claimed by inserting a
unique `Reminder` row first; the process whose insert wins sends, the others skip."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from networkfest.notifications.models import Reminder
from networkfest.types import DbSession


def claim(db: DbSession, session_id: int, user_id: int, kind: str, now: datetime) -> bool:
    """Insert the unique claim and commit it; False when another process got there first."""
    try:
        with db.begin_nested():
            db.add(Reminder(session_id=session_id, user_id=user_id, kind=kind, sent_at=now))
    except IntegrityError:
        db.rollback()
        return False
    db.commit()
    return True
