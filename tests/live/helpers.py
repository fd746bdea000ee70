"""Test helpers for the live room: people as plain values, a room to test in, and the protocol.

The `room` fixture (tests/conftest.py) builds a `Room` with `make_room`: the live, Q&A and
API tests all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.factories import FESTIVAL_START, SESSION_START

# Around the default session (`tests.factories.SESSION_START` and `DURING`).
LOBBY = SESSION_START - timedelta(minutes=5)
AFTER = SESSION_START + timedelta(hours=2)
# When the room's people took their places.
REGISTERED = FESTIVAL_START - timedelta(days=1)


@dataclass(frozen=True)
class Person:
    """A user as plain values: socket handlers end the test's ORM session, values survive."""

    id: int
    email: str
    name: str


def person(user: Any) -> Person:
    return Person(id=user.id, email=user.email, name=user.name)


@dataclass(frozen=True)
class Room:
    """A moderated session with a host, two confirmed attendees, an organiser and the host
    of another session."""

    slug: str
    session_id: int
    host: Person
    attendee: Person
    other: Person
    organiser: Person
    outsider_host: Person


def make_room(factory: Any) -> Room:
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    attendee = factory.user(name="Ada Attendee")
    other = factory.user(name="Otto Other")
    organiser = factory.organiser(name="Orla Organiser")
    outsider_host = factory.user(name="Ines Elsewhere")
    session = factory.session(festival, hosts=[host], qa_mode="moderated")
    factory.session(festival, hosts=[outsider_host], slug="elsewhere")
    factory.registration(session, attendee, "confirmed", REGISTERED)
    factory.registration(session, other, "confirmed", REGISTERED)
    return Room(
        slug=session.slug,
        session_id=session.id,
        host=person(host),
        attendee=person(attendee),
        other=person(other),
        organiser=person(organiser),
        outsider_host=person(outsider_host),
    )


def events(sio: Any, name: str) -> list[Any]:
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == name]


def emit(sio: Any, event: str, payload: Any = None) -> dict[str, Any]:
    if payload is None:
        return sio.emit(event, namespace="/live", callback=True)
    return sio.emit(event, payload, namespace="/live", callback=True)


def error_code(ack: dict[str, Any]) -> str:
    assert ack["ok"] is False, ack
    assert set(ack["error"]) == {"code", "message"} and ack["error"]["message"]
    return ack["error"]["code"]


def joined(sio: Any, slug: str) -> dict[str, Any]:
    ack = emit(sio, "join", {"session": slug})
    assert ack["ok"] is True, ack
    return ack["state"]


def ask(sio: Any, slug: str, text: str = "How do we start?", **extra: Any) -> dict[str, Any]:
    return emit(sio, "ask", {"session": slug, "text": text, **extra})
