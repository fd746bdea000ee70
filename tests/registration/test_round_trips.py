"""A registration is a few statements (issue 15: 500 a second on PostgreSQL), and the
shortcuts that buys keep every guarantee: the seat counter, the queue's order, and an answer
equal to what a read finds after, also when the facts read first are already out of date."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.registration import services
from tests.factories import FESTIVAL_START
from tests.statements import recorded


def bearer(user: Any) -> dict[str, str]:
    raw = new_api_token()
    db.session.add(
        ApiToken(
            user_id=user.id, name="test", token_hash=hash_token(raw), created_at=FESTIVAL_START
        )
    )
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_a_seat_or_a_place_in_the_queue_is_four_statements_and_one_commit_over_the_api(
    client, factory, festival
) -> None:
    """The token's person, the session with the person's place, then on PostgreSQL the
    session's lock and the seat-or-queue with the row, sent in one batch with the commit;
    on SQLite the seat or the queue, then the row, under the write lock its transaction
    began with, committed once."""
    session = factory.session(festival, capacity=1)
    url = f"/api/v1/sessions/{session.slug}/registration"
    first, second = bearer(factory.user()), bearer(factory.user())

    with recorded() as (statements, commits):
        response = client.post(url, headers=first)
    assert (response.status_code, response.json) == (201, {"status": "confirmed"})
    assert len(statements) <= 4, statements
    assert len(commits) == 1

    with recorded() as (statements, commits):
        response = client.post(url, headers=second)
    assert (response.status_code, response.json) == (201, {"status": "waitlisted", "position": 1})
    assert len(statements) <= 4, statements
    assert len(commits) == 1
    db.session.refresh(session)
    assert session.confirmed_count == 1


def test_a_session_of_an_older_festival_is_not_found(client, factory, festival) -> None:
    """The slug names a session of the festival published last, as everywhere else."""
    old = factory.session(festival)
    factory.festival(slug="networkfest-2027", name="Networkfest 2027")
    response = client.post(
        f"/api/v1/sessions/{old.slug}/registration", headers=bearer(factory.user())
    )
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")


def test_facts_read_before_the_persons_other_request_wrote_their_row(
    factory, festival, clock
) -> None:
    """Two requests of one person at once: the second read "no place" before the first
    committed. UNIQUE stops its row, and it answers with the place the first one took."""
    session = factory.session(festival, capacity=1)
    person = factory.user()
    session_id, person_id = session.id, person.id
    stale = db.session.execute(
        services._FACTS_BY_ID, {"session_id": session_id, "user_id": person_id}
    ).one()
    db.session.commit()
    first = services.register(db.session, session, person, clock.now())

    second = services._register(db.session, stale, person_id, clock.now())

    assert (first.status, first.created) == ("confirmed", True)
    assert (second.status, second.position, second.created) == ("confirmed", None, False)
    assert (
        db.session.scalar(
            select(FestivalSession.confirmed_count).where(FestivalSession.id == session_id)
        )
        == 1
    )


def test_a_seat_seen_free_but_taken_meanwhile_sends_the_newcomer_to_the_queue(
    factory, festival, clock
) -> None:
    """The facts said one seat was left; someone else took it before the seat's UPDATE: the
    UPDATE changes nothing, and the newcomer queues under the lock, with the right rank."""
    session = factory.session(festival, capacity=1)
    quick, slow = factory.user(), factory.user()
    stale = db.session.execute(
        services._FACTS_BY_ID, {"session_id": session.id, "user_id": slow.id}
    ).one()
    db.session.commit()
    services.register(db.session, session, quick, clock.now())

    result = services._register(db.session, stale, slow.id, clock.now())

    assert (result.status, result.position, result.created) == ("waitlisted", 1, True)
    assert services.registration_state(db.session, session, slow) == result.as_json()
    db.session.refresh(session)
    assert session.confirmed_count == 1


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
