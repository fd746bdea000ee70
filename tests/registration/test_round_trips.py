"""A registration is a few statements (issue 15: 500 a second on PostgreSQL), and the
shortcuts that buys keep every guarantee: the seat counter, the queue's order, and an answer
equal to what a read finds after, also when the person already has a row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import room_to_read
from networkfest.registration import services
from tests.factories import FESTIVAL_START, announce_publication
from tests.statements import counted, recorded


def bearer(user: Any) -> dict[str, str]:
    raw = new_api_token()
    db.session.add(
        ApiToken(
            user_id=user.id, name="test", token_hash=hash_token(raw), created_at=FESTIVAL_START
        )
    )
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_a_seat_or_a_place_in_the_queue_is_one_batch_once_the_process_knows_the_session(
    client, factory, festival
) -> None:
    """The token's person, then on PostgreSQL the session's lock and the seat-or-queue with
    the row, sent in one batch with the commit: the session's published facts come from the
    process's copy, and the person's place is not read first. On SQLite the seat, the queue
    when there is none, then the row, under the write lock its transaction began with,
    committed once."""
    session = factory.session(festival, capacity=2)
    url = f"/api/v1/sessions/{session.slug}/registration"
    assert client.post(url, headers=bearer(factory.user())).status_code == 201
    second, third = bearer(factory.user()), bearer(factory.user())

    with recorded() as (statements, commits):
        response = client.post(url, headers=second)
    assert (response.status_code, response.json) == (201, {"status": "confirmed"})
    assert len(commits) == 1
    assert len(statements) == 3, statements  # on SQLite: the token, the seat, the row

    with recorded() as (statements, commits):
        response = client.post(url, headers=third)
    assert (response.status_code, response.json) == (201, {"status": "waitlisted", "position": 1})
    assert len(commits) == 1
    assert len(statements) == (3 if db.engine.dialect.name == "postgresql" else 4), statements
    assert not any("festival_sessions.slug" in s for s in statements), statements
    db.session.refresh(session)
    assert session.confirmed_count == 2


def test_a_session_of_an_older_festival_is_not_found(client, factory, festival) -> None:
    """The slug names a session of the festival published last, as everywhere else."""
    old = factory.session(festival)
    factory.festival(slug="networkfest-2027", name="Networkfest 2027")
    response = client.post(
        f"/api/v1/sessions/{old.slug}/registration", headers=bearer(factory.user())
    )
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")


def test_a_second_request_meets_the_persons_row_and_answers_with_their_place(
    factory, festival, clock
) -> None:
    """Nothing reads the place first: the second request's new row fails as a conflict,
    nothing of it is written (no second seat), and it answers with the place the first took."""
    session = factory.session(festival, capacity=2)
    person = factory.user()
    session_id = session.id
    first = services.register(db.session, session, person, clock.now())

    second = services.register(db.session, session, person, clock.now())

    assert (first.status, first.created) == ("confirmed", True)
    assert (second.status, second.position, second.created) == ("confirmed", None, False)
    assert (
        db.session.scalar(
            select(FestivalSession.confirmed_count).where(FestivalSession.id == session_id)
        )
        == 1
    )


def test_a_second_request_from_the_queue_keeps_its_place_in_it(factory, festival, clock) -> None:
    session = factory.session(festival, capacity=1)
    seated, waiting, behind = factory.user(), factory.user(), factory.user()
    for person in (seated, waiting, behind):
        services.register(db.session, session, person, clock.now())

    again = services.register(db.session, session, waiting, clock.now())

    assert (again.status, again.position, again.created) == ("waitlisted", 1, False)
    assert services.registration_state(db.session, session, behind) == {
        "status": "waitlisted",
        "position": 2,
    }


def test_coming_back_after_cancelling_takes_a_free_seat(factory, festival, clock) -> None:
    """A cancelled row is brought back (its id kept) into a seat when one is free."""
    session = factory.session(festival, capacity=2)
    person, other = factory.user(), factory.user()
    services.register(db.session, session, person, clock.now())
    services.register(db.session, session, other, clock.now())
    services.cancel_registration(
        db.session, services.find_registration(db.session, session, person), clock.now()
    )

    result = services.register(db.session, session, person, clock.now())

    assert (result.status, result.position, result.created) == ("confirmed", None, True)
    assert services.registration_state(db.session, session, person) == {"status": "confirmed"}
    db.session.refresh(session)
    assert session.confirmed_count == 2


def test_the_published_facts_are_plain_values_a_publication_replaces_at_once(
    client, factory, festival, clock
) -> None:
    """The facts a registration decides by come off the process's copy without putting
    anything into the request's session, and hold until the next publication, which every
    process is told of: a session cancelled in a new version refuses the next registration."""
    session = factory.session(festival, capacity=5)
    session_id, slug, ends_at, festival_id = session.id, session.slug, session.ends_at, festival.id
    url = f"/api/v1/sessions/{slug}/registration"
    assert client.post(url, headers=bearer(factory.user())).status_code == 201

    db.session.expunge_all()
    with counted() as statements:
        room = room_to_read(db.session, slug)
    assert room is not None
    facts = (room.id, room.status, room.ends_at)
    assert facts == (session_id, "scheduled", ends_at)
    assert statements == []
    assert not any(isinstance(held, FestivalSession) for held in db.session.identity_map.values())

    db.session.execute(
        update(FestivalSession).where(FestivalSession.id == session_id).values(status="cancelled")
    )
    db.session.commit()
    announce_publication(festival_id, clock.now())
    response = client.post(url, headers=bearer(factory.user()))
    assert (response.status_code, response.json["error"]["code"]) == (409, "cancelled")
    assert room_to_read(db.session, "no-such-session") is None
