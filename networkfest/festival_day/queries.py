"""Read-only lookups festival day needs beyond the programme's own queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from networkfest.programme.models import Festival, FestivalSession
from networkfest.types import DbSession


def session_times(db: DbSession, festival: Festival) -> list[tuple[int, datetime, datetime, str]]:
    """(id, starts_at, ends_at, status) of every session: all the marks of time depend on,
    read in one narrow query so the programme's 304 stays cheap."""
    rows = db.execute(
        select(
            FestivalSession.id,
            FestivalSession.starts_at,
            FestivalSession.ends_at,
            FestivalSession.status,
        )
        .where(FestivalSession.festival_id == festival.id)
        .order_by(FestivalSession.id)
    )
    return [(row.id, row.starts_at, row.ends_at, row.status) for row in rows]
