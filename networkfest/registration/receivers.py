"""How registration reacts to the slices below it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from networkfest import signals
from networkfest.extensions import db
from networkfest.programme.changes import Change, ChangeKind
from networkfest.programme.models import FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.registration.services import fill_free_seats


def fill_seats_where_capacity_grew(
    sender: str, *, festival_id: int, changes: list[Change], now: datetime, **kwargs: Any
) -> None:
    """A larger capacity in the new version, or a cancelled session back on the programme
    (whose places given up while it was cancelled went to no one), gives places to the
    waitlist at once."""
    slugs = [
        change.session
        for change in changes
        if (change.kind is ChangeKind.CHANGED and "capacity" in change.fields)
        or change.kind is ChangeKind.RESTORED
    ]
    if not slugs:
        return
    grown = db.session.scalars(
        select(FestivalSession).where(
            FestivalSession.festival_id == festival_id,
            FestivalSession.slug.in_(slugs),
            FestivalSession.status != SessionStatus.CANCELLED,
        )
    )
    for festival_session in list(grown):
        fill_free_seats(db.session, festival_session, now)


def connect() -> None:
    signals.programme_published.connect(fill_seats_where_capacity_grew)
