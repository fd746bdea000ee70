"""Q&A's part of a person's data: their questions and votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.programme.personal import rows_with_session_slug
from networkfest.qa.models import Question, Vote
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    questions = rows_with_session_slug(db, Question, Question.author_id, user.id)
    votes = db.scalars(select(Vote).where(Vote.user_id == user.id).order_by(Vote.question_id))
    return {
        "questions": [
            {
                "session": slug,
                "text": q.text,
                "anonymous": q.anonymous,
                "status": q.status,
                "created_at": iso_or_none(q.created_at),
            }
            for q, slug in questions
        ],
        "votes": [
            {"question": v.question_id, "created_at": iso_or_none(v.created_at)} for v in votes
        ],
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Their votes go (the counts with them); their questions stay, no longer theirs."""
    voted = select(Vote.question_id).where(Vote.user_id == user.id)
    db.execute(
        update(Question)
        .where(Question.id.in_(voted))
        .values(votes=Question.votes - 1, revision=Question.revision + 1)
        .execution_options(synchronize_session=False)
    )
    db.execute(delete(Vote).where(Vote.user_id == user.id))
    db.execute(
        update(Question)
        .where(Question.author_id == user.id)
        .values(author_id=None, anonymous=True, revision=Question.revision + 1)
        .execution_options(synchronize_session=False)
    )
