"""A vote in a storm is as few round trips as its checks allow: each holds a pooled
connection (`database.autocommit`). Whether the voter holds a place is read once, for the
right to act and for the rules' viewer alike, and never beyond the transaction that read it."""

from __future__ import annotations

from typing import Any

from networkfest.extensions import db
from networkfest.registration import services as registration
from tests.factories import SESSION_START
from tests.live.helpers import Room, ask, emit, joined
from tests.statements import recorded


def test_a_vote_reads_the_voters_place_once(socket_client: Any, room: Room, clock: Any) -> None:
    clock.set(SESSION_START)
    host = socket_client(room.host)
    joined(host, room.slug)
    question = ask(host, room.slug)["question"]["id"]
    emit(host, "moderate", {"question": question, "action": "approve"})
    voter = socket_client(room.attendee)
    joined(voter, room.slug)

    for value in (1, 0):
        with recorded() as (statements, commits):
            ack = emit(voter, "vote", {"question": question, "value": value})
        assert ack == {"ok": True, "votes": value}
        places = [s for s in statements if "FROM registrations" in s]
        assert len(places) == 1, statements
        if db.engine.dialect.name == "postgresql":
            # the question, the place, the vote with its count
            assert len(statements) == 3, statements


def test_a_place_read_is_forgotten_when_its_transaction_ends(
    factory: Any, festival: Any, clock: Any
) -> None:
    session = factory.session(festival)
    person = factory.user()
    session_id, person_id = session.id, person.id
    assert registration.holds_confirmed_place(db.session, session_id, person_id) is False
    registration.register(db.session, session, person, clock.now())
    assert registration.holds_confirmed_place(db.session, session_id, person_id) is True
    registration.cancel_registration(
        db.session, registration.find_registration(db.session, session, person), clock.now()
    )
    db.session.commit()
    assert registration.holds_confirmed_place(db.session, session_id, person_id) is False
