"""Insights' part of a person's data: the feedback they gave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.insights.models import Feedback
from networkfest.programme.personal import rows_with_session_slug
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    rows = rows_with_session_slug(db, Feedback, Feedback.user_id, user.id)
    return {
        "feedback": [
            {
                "session": slug,
                "worth": f.worth,
                "different": f.different,
                "follow_up": f.follow_up,
                "created_at": iso_or_none(f.created_at),
            }
            for f, slug in rows
        ]
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Their answers stay in the figures but no longer point at them."""
    db.execute(
        update(Feedback)
        .where(Feedback.user_id == user.id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
