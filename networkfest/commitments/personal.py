"""Commitments' part of a person's data: their commitments, answers and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from networkfest.accounts.models import User
from networkfest.commitments.models import Commitment
from networkfest.formatting import iso_or_none
from networkfest.programme.personal import rows_with_session_slug
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    rows = rows_with_session_slug(db, Commitment, Commitment.user_id, user.id)
    return {
        "commitments": [
            {
                "session": slug,
                "text": c.text,
                "made_at": iso_or_none(c.made_at),
                "updated_at": iso_or_none(c.updated_at),
                "answer": c.answer,
                "note": c.note,
                "answered_at": iso_or_none(c.answered_at),
                "followed_up_at": iso_or_none(c.followed_up_at),
            }
            for c, slug in rows
        ],
        "follow_up_mails": user.follow_up_mails,
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """The words and notes go; the answers stay in the follow-through figures, pointing at
    no one."""
    db.execute(
        update(Commitment)
        .where(Commitment.user_id == user.id)
        .values(user_id=None, text="", note="")
        .execution_options(synchronize_session=False)
    )
