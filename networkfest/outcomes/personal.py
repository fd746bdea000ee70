"""Outcomes' part of a person's data: the outcomes they last wrote.

The outcomes belong to the session, not to the person: erasing someone keeps them on the
session's page and only forgets who wrote them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.outcomes.models import Outcome
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    rows = db.execute(
        select(Outcome, FestivalSession.slug)
        .join(FestivalSession, FestivalSession.id == Outcome.session_id)
        .where(Outcome.updated_by == user.id)
        .order_by(Outcome.id)
    )
    return {
        "outcomes_written": [
            {
                "session": slug,
                "summary": outcome.summary,
                "links": outcome.links,
                "updated_at": iso_or_none(outcome.updated_at),
            }
            for outcome, slug in rows
        ]
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """The outcomes stay with their session; who wrote them is forgotten."""
    db.execute(
        update(Outcome)
        .where(Outcome.updated_by == user.id)
        .values(updated_by=None)
        .execution_options(synchronize_session=False)
    )
