"""Writes of the feeds domain: the personal feed's secret link."""

from __future__ import annotations

from networkfest.accounts.models import User, new_secret
from networkfest.types import DbSession


def reset_calendar_token(db: DbSession, user: User) -> str:
    """Give the person a new feed token; the old link stops working at once."""
    user.calendar_token = new_secret()
    db.commit()
    return user.calendar_token
