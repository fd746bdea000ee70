"""Helpers for the insights tests: presence in the room, and minutes after an instant.

Signing in (`signed_in`, `socket_client`) and registering (`factory.registration`) are
shared: tests/conftest.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from networkfest.extensions import db
from networkfest.live.models import Presence


def attend(
    festival_session: Any,
    user: Any,
    joined_at: datetime,
    left_at: datetime | None = None,
    sid: str = "sid",
) -> Presence:
    presence = Presence(
        session_id=festival_session.id,
        user_id=None if user is None else user.id,
        sid=sid,
        joined_at=joined_at,
        left_at=left_at,
    )
    db.session.add(presence)
    db.session.commit()
    return presence


def after(instant: datetime, minutes: float) -> datetime:
    return instant + timedelta(minutes=minutes)
