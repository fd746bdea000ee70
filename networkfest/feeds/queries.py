"""Read-side lookups for the feeds, kept small so a 304 answer costs a query or two."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from networkfest.accounts.models import User
from networkfest.feeds.ical import Place
from networkfest.feeds.rules import lookup_key_ok
from networkfest.programme.models import (
    Festival,
    FestivalSession,
    ScheduleVersion,
    Theme,
    session_hosts,
)
from networkfest.registration.models import Registration
from networkfest.registration.personal_agenda import HOSTING
from networkfest.registration.rules import RegistrationStatus
from networkfest.types import DbSession

TOKEN_MAX_LENGTH = 64
SLUG_MAX_LENGTH = 80
FEED_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
# A hosted session's event is as old as the version's stamp (`build_calendar` takes the later).
HOSTING_STAMP = datetime.min.replace(tzinfo=UTC)


def feed_stamp(db: DbSession, festival: Festival) -> datetime:
    """DTSTAMP of every event: when the festival's current schedule version was published.

    Before anything has been published (a festival made by hand) it is a fixed
    instant, the festival's first day at midnight UTC, so the feed still never
    changes between two requests.
    """
    published = db.scalar(
        select(ScheduleVersion.published_at)
        .where(ScheduleVersion.festival_id == festival.id)
        .order_by(
            (ScheduleVersion.number == festival.version).desc(), ScheduleVersion.number.desc()
        )
        .limit(1)
    )
    return published or datetime.combine(festival.starts, time(), tzinfo=UTC)


def theme_by_slug(db: DbSession, festival_id: int, slug: str) -> Theme | None:
    if not lookup_key_ok(slug, SLUG_MAX_LENGTH):
        return None
    return db.scalar(select(Theme).where(Theme.festival_id == festival_id, Theme.slug == slug))


def session_id_by_slug(db: DbSession, festival_id: int, slug: str) -> int | None:
    """Just the id: enough to answer 404 or 304 without loading the session."""
    if not lookup_key_ok(slug, SLUG_MAX_LENGTH):
        return None
    return db.scalar(
        select(FestivalSession.id).where(
            FestivalSession.festival_id == festival_id, FestivalSession.slug == slug
        )
    )


def user_by_calendar_token(db: DbSession, token: str) -> User | None:
    """The owner of a personal feed; over-long tokens are refused before any lookup."""
    if not lookup_key_ok(token, TOKEN_MAX_LENGTH):
        return None
    return db.scalar(select(User).where(User.calendar_token == token))


def agenda_places(db: DbSession, user_id: int, festival_id: int) -> dict[int, Place]:
    """The person's places in the festival, and the sessions they host, by session id, with
    waitlist ranks. Hosting comes before a place they also hold; it changes only with a new
    version, which the feed's ETag has already, so its `updated_at` adds nothing.

    A waitlist position is a rank by (queued_at, id) among the session's waitlisted
    registrations, so it closes up when someone ahead leaves (see Registration).
    """
    ahead = aliased(Registration)
    rank = (
        select(func.count(ahead.id))
        .where(
            ahead.session_id == Registration.session_id,
            ahead.status == RegistrationStatus.WAITLISTED,
            or_(
                ahead.queued_at < Registration.queued_at,
                and_(ahead.queued_at == Registration.queued_at, ahead.id < Registration.id),
            ),
        )
        .correlate(Registration)
        .scalar_subquery()
    )
    rows = db.execute(
        select(Registration.session_id, Registration.status, rank, Registration.updated_at)
        .join(FestivalSession, FestivalSession.id == Registration.session_id)
        .where(
            Registration.user_id == user_id,
            FestivalSession.festival_id == festival_id,
            Registration.status.in_(FEED_STATUSES),
        )
        .order_by(Registration.session_id)
    )
    found = {
        session_id: Place(
            status=status,
            position=ahead_count + 1 if status == RegistrationStatus.WAITLISTED else 0,
            updated_at=updated_at,
        )
        for session_id, status, ahead_count, updated_at in rows
    }
    hosted = db.scalars(
        select(session_hosts.c.session_id)
        .join(FestivalSession, FestivalSession.id == session_hosts.c.session_id)
        .where(session_hosts.c.user_id == user_id, FestivalSession.festival_id == festival_id)
    )
    for session_id in hosted:
        found[session_id] = Place(status=HOSTING, position=0, updated_at=HOSTING_STAMP)
    return dict(sorted(found.items()))


def sessions_by_id(db: DbSession, ids: Iterable[int]) -> list[FestivalSession]:
    """The sessions a feed lists, in start order, with what the events show."""
    return list(
        db.scalars(
            select(FestivalSession)
            .where(FestivalSession.id.in_(list(ids)))
            .order_by(FestivalSession.starts_at, FestivalSession.slug)
            .options(selectinload(FestivalSession.hosts), selectinload(FestivalSession.theme))
        )
    )
