"""Test helpers for the live room: people as plain values, places, and a live session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from networkfest.extensions import db
from networkfest.registration.models import Registration
from tests.factories import FESTIVAL_START

# The factory's default session runs 09:00-09:45 UTC on the first day.
SESSION_START = FESTIVAL_START + timedelta(hours=1)
DURING = SESSION_START + timedelta(minutes=10)
LOBBY = SESSION_START - timedelta(minutes=5)
AFTER = SESSION_START + timedelta(hours=2)


@dataclass(frozen=True)
class Person:
    """A user as plain values: socket handlers end the test's ORM session, values survive."""

    id: int
    email: str
    name: str


def person(user: Any) -> Person:
    return Person(id=user.id, email=user.email, name=user.name)


def confirm(festival_session: Any, user: Any, status: str = "confirmed") -> None:
    db.session.add(
        Registration(
            session_id=festival_session.id,
            user_id=user.id,
            status=status,
            queued_at=FESTIVAL_START - timedelta(days=1),
            updated_at=FESTIVAL_START - timedelta(days=1),
        )
    )
    db.session.commit()


def events(sio: Any, name: str) -> list[Any]:
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == name]


def emit(sio: Any, event: str, payload: Any = None) -> dict[str, Any]:
    if payload is None:
        return sio.emit(event, namespace="/live", callback=True)
    return sio.emit(event, payload, namespace="/live", callback=True)
