"""Plain factory functions for tests: they take a database session and values, and flush."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session as DbSession
from werkzeug.security import generate_password_hash

from networkfest import process_cache, signals
from networkfest.models import AgendaItem, Festival, FestivalSession, Registration, Theme, User

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"
# One cheap hash for every test user; the real scheme is used by the accounts services.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
FESTIVAL_START = datetime(2026, 9, 21, 8, 0, tzinfo=UTC)  # 09:00 BST, Monday
# `make_session`'s default start (09:00 UTC on the first day), and ten minutes into it.
SESSION_START = FESTIVAL_START + timedelta(hours=1)
DURING = SESSION_START + timedelta(minutes=10)
REGISTRATION_STATUSES = ("confirmed", "waitlisted", "cancelled")


def make_user(
    db: DbSession,
    *,
    email: str | None = None,
    name: str | None = None,
    organiser: bool = False,
    verified: bool = True,
) -> User:
    """A person with the factory's password; verified (their address proved) unless asked."""
    n = next(_counter)
    created = datetime(2026, 9, 1, tzinfo=UTC)
    user = User(
        email=(email or f"person{n}@example.org").lower(),
        name=name or f"Person {n}",
        password_hash=_PASSWORD_HASH,
        organiser=organiser,
        created_at=created,
        verified_at=created if verified else None,
    )
    db.add(user)
    db.flush()
    return user


def make_festival(db: DbSession, **overrides: Any) -> Festival:
    values: dict[str, Any] = {
        "slug": "networkfest-2026",
        "name": "Networkfest 2026",
        "timezone": "Europe/London",
        "starts": date(2026, 9, 21),
        "ends": date(2026, 9, 25),
        "lobby_minutes": 10,
        "warning_minutes": [5, 1],
        "version": 1,
    }
    values.update(overrides)
    festival = Festival(**values)
    festival.themes = [
        Theme(slug="method", name="Having a method", position=0),
        Theme(slug="purpose", name="Ruthless about purpose", position=1),
        Theme(slug="learning", name="Learning between peers", position=2),
    ]
    db.add(festival)
    db.flush()
    return festival


def make_session(
    db: DbSession,
    festival: Festival,
    *,
    starts_at: datetime | None = None,
    minutes: int = 45,
    agenda: list[tuple[str, int]] | None = None,
    hosts: list[User] | None = None,
    theme: str = "purpose",
    **overrides: Any,
) -> FestivalSession:
    n = next(_counter)
    starts_at = starts_at or SESSION_START
    if agenda is None:
        agenda = [("Welcome and purpose", 5), ("Main part", minutes - 15), ("Questions", 10)]
    values: dict[str, Any] = {
        "slug": f"session-{n}",
        "title": f"Session {n}",
        "purpose": "Leave with one thing to try in your own network.",
        "format": "peer-circle",
        "capacity": None,
        "join_url": f"https://meet.example.org/session-{n}",
        "qa_mode": "moderated",
        "description": "A *short* description.",
        "status": "scheduled",
        "version": 1,
    }
    values.update(overrides)
    session = FestivalSession(
        festival=festival,
        theme=next(t for t in festival.themes if t.slug == theme),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **values,
    )
    session.agenda_items = [
        AgendaItem(position=i, title=title, minutes=m) for i, (title, m) in enumerate(agenda)
    ]
    session.hosts = list(hosts or [])
    db.add(session)
    db.flush()
    return session


def make_registration(
    db: DbSession, festival_session: FestivalSession, user: Any, status: str, at: datetime
) -> Registration:
    """A place in `festival_session`, queued and last changed `at`; `user` needs only an `id`.

    A confirmed place takes a seat as `networkfest.registration.services` takes one: one
    UPDATE of the session's `confirmed_count` in the database, only while a seat is free,
    so the counter matches the confirmed rows and the capacity CHECK constraint holds.
    """
    if status not in REGISTRATION_STATUSES:
        raise ValueError(f"status must be one of {REGISTRATION_STATUSES}, not {status!r}")
    if status == "confirmed":
        _take_seat(db, festival_session)
    registration = Registration(
        session_id=festival_session.id,
        user_id=user.id,
        status=status,
        queued_at=at,
        updated_at=at,
    )
    db.add(registration)
    db.flush()
    return registration


def _take_seat(db: DbSession, festival_session: FestivalSession) -> None:
    db.flush()  # the session's own pending changes (a new capacity, say) count
    taken = db.execute(
        update(FestivalSession)
        .where(
            FestivalSession.id == festival_session.id,
            or_(
                FestivalSession.capacity.is_(None),
                FestivalSession.confirmed_count < FestivalSession.capacity,
            ),
        )
        .values(confirmed_count=FestivalSession.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"session {festival_session.id} is full: no seat to confirm")
    process_cache.statement_wrote(db, FestivalSession, "update")  # as the real writers say
    if festival_session in db:
        db.expire(festival_session, ["confirmed_count"])


def announce_publication(festival_id: int, now: datetime) -> None:
    """What publishing a new version tells every slice (`programme_published`), without a
    file: the tests that changed rows behind the app's back see their caches dropped."""
    signals.send(
        signals.programme_published,
        "programme",
        festival_id=festival_id,
        version=2,
        changes=[],
        now=now,
    )
