"""Polls' part of a person's data: their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.polls.models import Poll, PollChoice
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    rows = db.execute(
        select(PollChoice, Poll.question, Poll.options, FestivalSession.slug)
        .join(Poll, Poll.id == PollChoice.poll_id)
        .join(FestivalSession, FestivalSession.id == Poll.session_id)
        .where(PollChoice.user_id == user.id)
        .order_by(PollChoice.poll_id, PollChoice.option)
    )
    answers: dict[int, dict[str, Any]] = {}
    for choice, question, options, slug in rows:
        answer = answers.setdefault(
            choice.poll_id,
            {
                "session": slug,
                "poll": question,
                "choices": [],
                "answered_at": iso_or_none(choice.answered_at),
            },
        )
        answer["choices"].append(options[choice.option - 1])
    return {"poll_answers": list(answers.values())}


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Their answers go; the counts, read from the answers, go down with them."""
    db.execute(delete(PollChoice).where(PollChoice.user_id == user.id))
