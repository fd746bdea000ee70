"""A room to test in: a moderated session with a host, an attendee, a watcher and an organiser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.live.helpers import Person, confirm, person


@dataclass(frozen=True)
class Room:
    slug: str
    session_id: int
    host: Person
    attendee: Person
    other: Person
    organiser: Person
    outsider_host: Person


@pytest.fixture
def room(factory: Any) -> Room:
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    attendee = factory.user(name="Ada Attendee")
    other = factory.user(name="Otto Other")
    organiser = factory.organiser(name="Orla Organiser")
    outsider_host = factory.user(name="Ines Elsewhere")
    session = factory.session(festival, hosts=[host], qa_mode="moderated")
    factory.session(festival, hosts=[outsider_host], slug="elsewhere")
    confirm(session, attendee)
    confirm(session, other)
    return Room(
        slug=session.slug,
        session_id=session.id,
        host=person(host),
        attendee=person(attendee),
        other=person(other),
        organiser=person(organiser),
        outsider_host=person(outsider_host),
    )
