"""Read-side lookups of the programme shared by pages, feeds, the API and the live room."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from networkfest.programme.models import Festival, FestivalSession


def current_festival(db: DbSession) -> Festival | None:
    """The festival this site publishes: the one most recently published."""
    return db.scalar(select(Festival).order_by(Festival.id.desc()).limit(1))


def session_by_slug(db: DbSession, slug: str) -> FestivalSession | None:
    if not isinstance(slug, str) or len(slug) > 80:
        return None
    # One round trip: the festival is the most recently published one (`current_festival`).
    newest = select(Festival.id).order_by(Festival.id.desc()).limit(1).scalar_subquery()
    return db.scalar(
        select(FestivalSession)
        .where(FestivalSession.festival_id == newest, FestivalSession.slug == slug)
        .options(
            selectinload(FestivalSession.hosts),
            selectinload(FestivalSession.agenda_items),
            selectinload(FestivalSession.theme),
        )
    )


def festival_sessions(db: DbSession, festival: Festival) -> list[FestivalSession]:
    """Every session of the festival, cancelled included, in start order."""
    return list(
        db.scalars(
            select(FestivalSession)
            .where(FestivalSession.festival_id == festival.id)
            .order_by(FestivalSession.starts_at, FestivalSession.slug)
            .options(
                selectinload(FestivalSession.hosts),
                selectinload(FestivalSession.agenda_items),
                selectinload(FestivalSession.theme),
            )
        )
    )


def seat_counts(db: DbSession, festival: Festival) -> list[tuple[int, int]]:
    """(session id, confirmed places) for every session: what changes between publications."""
    rows = db.execute(
        select(FestivalSession.id, FestivalSession.confirmed_count)
        .where(FestivalSession.festival_id == festival.id)
        .order_by(FestivalSession.id)
    )
    return [(row.id, row.confirmed_count) for row in rows]
