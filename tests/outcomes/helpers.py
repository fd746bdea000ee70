"""A session to write outcomes for (`make_cast`): its host, an organiser, an attendee and
another host; the instants of its window; a move of its run sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from networkfest.extensions import db
from networkfest.timing.models import AgendaMove
from tests.factories import FESTIVAL_START, SESSION_START

# `make_session`'s default run sheet: 5 + 30 + 10 minutes from 09:00 UTC.
LAST_ITEM = SESSION_START + timedelta(minutes=35)
END = SESSION_START + timedelta(minutes=45)
CLOSES = END + timedelta(hours=48)


@dataclass
class Cast:
    session: Any
    host: Any
    organiser: Any
    attendee: Any
    other_host: Any
    unverified_host: Any


def make_cast(factory: Any) -> Cast:
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    unverified_host = factory.user(name="Una Unverified", verified=False)
    other_host = factory.user(name="Ines Elsewhere")
    session = factory.session(festival, hosts=[host, unverified_host], title="Network bingo")
    factory.session(festival, hosts=[other_host])
    attendee = factory.user(name="Ada Attendee")
    factory.registration(session, attendee, "confirmed", FESTIVAL_START)
    return Cast(
        session=session,
        host=host,
        organiser=factory.organiser(name="Orla Organiser"),
        attendee=attendee,
        other_host=other_host,
        unverified_host=unverified_host,
    )


def move(festival_session: Any, index: int, at: datetime) -> None:
    """The host started item `index` at `at` (as `agenda_next` records it)."""
    db.session.add(AgendaMove(session_id=festival_session.id, item_index=index, started_at=at))
    db.session.commit()


LINKS = [
    {"title": "Slides", "url": "https://example.org/slides.pdf"},
    {"title": "Template", "url": "https://example.org/template"},
]
