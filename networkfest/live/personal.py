"""The live room's part of a person's data: when they were in rooms and went to the call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.live.models import CallClick, Presence
from networkfest.programme.personal import rows_with_session_slug
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    stays = rows_with_session_slug(db, Presence, Presence.user_id, user.id)
    clicks = rows_with_session_slug(db, CallClick, CallClick.user_id, user.id)
    return {
        "attendance": [
            {
                "session": slug,
                "joined_at": iso_or_none(p.joined_at),
                "left_at": iso_or_none(p.left_at),
            }
            for p, slug in stays
        ],
        "join_link_clicks": [
            {"session": slug, "clicked_at": iso_or_none(c.clicked_at)} for c, slug in clicks
        ],
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Nothing to do first: their stays and clicks go with the account (ON DELETE CASCADE)."""
