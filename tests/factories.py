"""Plain factory functions for tests: they take a database session and values, and flush."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session as DbSession
from werkzeug.security import generate_password_hash

from networkfest.models import AgendaItem, Festival, FestivalSession, Theme, User

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"
# One cheap hash for every test user; the real scheme is used by the accounts services.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
FESTIVAL_START = datetime(2026, 9, 21, 8, 0, tzinfo=UTC)  # 09:00 BST, Monday


def make_user(
    db: DbSession, *, email: str | None = None, name: str | None = None, organiser: bool = False
) -> User:
    n = next(_counter)
    user = User(
        email=(email or f"person{n}@example.org").lower(),
        name=name or f"Person {n}",
        password_hash=_PASSWORD_HASH,
        organiser=organiser,
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
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
    starts_at = starts_at or FESTIVAL_START + timedelta(hours=1)
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
