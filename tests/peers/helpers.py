"""A session that has ended with people who were in its room, and choosing for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from networkfest.extensions import db
from networkfest.peers import services
from networkfest.programme.models import FestivalSession
from tests.factories import SESSION_START
from tests.insights.conftest import attend

ENDS = SESSION_START + timedelta(minutes=45)
AFTER = ENDS + timedelta(minutes=5)
DURING = SESSION_START + timedelta(minutes=10)


@dataclass(frozen=True)
class Ended:
    """Plain values: handlers end the test's ORM session, ids and strings survive."""

    session_id: int
    slug: str
    ann: Any
    ben: Any
    cal: Any
    host: Any
    organiser: Any
    stranger: Any


def ended_session(factory: Any, clock: Any) -> Ended:
    """45 minutes from SESSION_START, with Ann, Ben and Cal in the room (and the host);
    the clock five minutes after the end. A stranger and an organiser were never in it."""
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    session = factory.session(festival, hosts=[host], minutes=45)
    ann = factory.user(name="Ann Able", email="ann@example.org")
    ben = factory.user(name="Ben Bright", email="ben@example.org")
    cal = factory.user(name="Cal Calm", email="cal@example.org")
    for person in (ann, ben, cal, host):
        attend(session, person, DURING, DURING + timedelta(minutes=20), sid=f"sid-{person.id}")
    organiser = factory.organiser(name="Orla Organiser")
    stranger = factory.user(name="Sam Stranger")
    clock.set(AFTER)
    return Ended(session.id, session.slug, ann, ben, cal, host, organiser, stranger)


def choose(world: Ended, *people: Any) -> None:
    """Record the people's choice as the feedback does, and commit."""
    for person in people:
        services.set_consent(db.session, world.session_id, person.id, True, AFTER)
    db.session.commit()


def session_of(world: Ended) -> FestivalSession:
    festival_session = db.session.get(FestivalSession, world.session_id)
    assert festival_session is not None
    return festival_session
