"""Helpers for the commitments tests: a session that has ended, and a commitment in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from networkfest.commitments.services import record_commitment
from networkfest.extensions import db
from tests.factories import FESTIVAL_START

START = FESTIVAL_START + timedelta(hours=1)
MINUTES = 45
ENDS = START + timedelta(minutes=MINUTES)
AFTER = ENDS + timedelta(minutes=5)


@dataclass(frozen=True)
class Ended:
    """Plain values: handlers end the test's ORM session, values survive."""

    festival_id: int
    session_id: int
    slug: str
    title: str
    owner_id: int
    owner_email: str
    other_id: int


def ended_session(factory: Any, **festival: Any) -> Ended:
    made = factory.festival(**festival)
    session = factory.session(made, starts_at=START, minutes=MINUTES, title="Network bingo")
    owner = factory.user(name="Ann Attendee")
    other = factory.user(name="Bea Other")
    return Ended(made.id, session.id, session.slug, session.title, owner.id, owner.email, other.id)


def commit_to(session_id: int, user_id: int, text: str, at: datetime = AFTER) -> int:
    """A commitment as the feedback records it; returns its id."""
    commitment = record_commitment(db.session, session_id, user_id, text, at)
    assert commitment is not None
    db.session.commit()
    return commitment.id
