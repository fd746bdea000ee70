"""Live-room units of work that are not Q&A: the call click."""

from __future__ import annotations

from datetime import datetime

from networkfest.live.models import CallClick
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession


def record_call_click(
    db: DbSession, festival_session: FestivalSession, user_id: int, now: datetime
) -> str:
    """Log who went through to the video call (attendance); returns where to send them."""
    db.add(CallClick(session_id=festival_session.id, user_id=user_id, clicked_at=now))
    db.commit()
    return festival_session.join_url
