"""The registration and agenda API: shapes, status codes, errors, auth by token and cookie."""

from __future__ import annotations

import re
from datetime import timedelta

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.mail import outbox
from tests.factories import FESTIVAL_START
from tests.statements import recorded


def bearer(user) -> dict[str, str]:
    raw = new_api_token()
    db.session.add(
        ApiToken(
            user_id=user.id, name="test", token_hash=hash_token(raw), created_at=FESTIVAL_START
        )
    )
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_register_201_then_200_and_waitlist_positions(client, factory, festival) -> None:
    session = factory.session(festival, capacity=1)
    first, second, third = (bearer(factory.user()) for _ in range(3))
    url = f"/api/v1/sessions/{session.slug}/registration"

    response = client.post(url, headers=first)
    assert (response.status_code, response.json) == (201, {"status": "confirmed"})
    response = client.post(url, headers=first)
    assert (response.status_code, response.json) == (200, {"status": "confirmed"})
    assert client.post(url, headers=second).json == {"status": "waitlisted", "position": 1}
    response = client.post(url, headers=third)
    assert (response.status_code, response.json) == (201, {"status": "waitlisted", "position": 2})
    assert client.get(url, headers=third).json == {"status": "waitlisted", "position": 2}


def test_get_none_then_delete_promotes_and_positions_close_up(client, factory, festival) -> None:
    session = factory.session(festival, capacity=1)
    holder, waiting_1, waiting_2 = (bearer(factory.user()) for _ in range(3))
    url = f"/api/v1/sessions/{session.slug}/registration"
    assert client.get(url, headers=holder).json == {"status": "none"}
    for headers in (holder, waiting_1, waiting_2):
        client.post(url, headers=headers)

    response = client.delete(url, headers=holder)
    assert (response.status_code, response.json) == (200, {"status": "cancelled"})
    assert client.get(url, headers=waiting_1).json == {"status": "confirmed"}
    assert client.get(url, headers=waiting_2).json == {"status": "waitlisted", "position": 1}
    assert client.get(url, headers=holder).json == {"status": "cancelled"}

    response = client.delete(url, headers=holder)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_the_place_that_came_free_is_mailed_with_its_day_and_time(
    client, factory, festival
) -> None:
    session = factory.session(festival, capacity=2, title="Peer consultancy triads")
    first, second, third = (factory.user() for _ in range(3))
    headers = {person.email: bearer(person) for person in (first, second, third)}
    url = f"/api/v1/sessions/{session.slug}/registration"
    for person in (first, second, third):
        client.post(url, headers=headers[person.email])

    client.delete(url, headers=headers[first.email])

    [mail] = outbox(client.application)
    assert (mail.to, mail.subject) == (third.email, "You have a place: Peer consultancy triads")
    assert (
        "A place came free: you are now confirmed for “Peer consultancy triads”, which starts "
        "Monday 21 September, 10:00 BST."
    ) in mail.body


def test_delete_after_the_session_ended_is_409_and_promotes_no_one(
    client, factory, festival, clock
) -> None:
    session = factory.session(festival, capacity=1)
    holder, waiting = bearer(factory.user()), bearer(factory.user())
    url = f"/api/v1/sessions/{session.slug}/registration"
    for headers in (holder, waiting):
        client.post(url, headers=headers)
    clock.set(session.ends_at + timedelta(days=4))

    for headers in (holder, waiting):
        response = client.delete(url, headers=headers)
        assert response.status_code == 409
        assert response.json["error"] == {
            "code": "ended",
            "message": "This session has ended, so its places can no longer be cancelled.",
        }
    assert client.get(url, headers=holder).json == {"status": "confirmed"}
    assert client.get(url, headers=waiting).json == {"status": "waitlisted", "position": 1}
    assert outbox(client.application) == []


def test_errors_are_json_with_fitting_codes(client, factory, festival, clock) -> None:
    ended = factory.session(festival, starts_at=FESTIVAL_START - timedelta(hours=2))
    cancelled = factory.session(festival, status="cancelled")
    headers = bearer(factory.user())

    response = client.get(f"/api/v1/sessions/{ended.slug}/registration")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    response = client.post(
        f"/api/v1/sessions/{ended.slug}/registration", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    response = client.post("/api/v1/sessions/missing/registration", headers=headers)
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    response = client.post(f"/api/v1/sessions/{ended.slug}/registration", headers=headers)
    assert (response.status_code, response.json["error"]["code"]) == (409, "ended")
    response = client.post(f"/api/v1/sessions/{cancelled.slug}/registration", headers=headers)
    assert (response.status_code, response.json["error"]["code"]) == (409, "cancelled")
    assert "cancelled" in response.json["error"]["message"]
    assert client.get("/api/v1/me/agenda").status_code == 401


def test_agenda_lists_sessions_with_status_and_position(client, factory, festival, clock) -> None:
    late = factory.session(festival, starts_at=FESTIVAL_START + timedelta(days=1), capacity=1)
    early = factory.session(festival, starts_at=FESTIVAL_START + timedelta(hours=2))
    factory.session(festival)
    client.post(f"/api/v1/sessions/{late.slug}/registration", headers=bearer(factory.user()))
    headers = bearer(factory.user())
    for session in (late, early):
        client.post(f"/api/v1/sessions/{session.slug}/registration", headers=headers)

    body = client.get("/api/v1/me/agenda", headers=headers).json

    assert [(r["session"]["slug"], r["status"], r["position"]) for r in body["registrations"]] == [
        (early.slug, "confirmed", None),
        (late.slug, "waitlisted", 1),
    ]
    session = body["registrations"][1]["session"]
    assert session["capacity"] == 1 and session["places_left"] == 0
    assert session["starts_at"].endswith("+00:00")
    assert set(session) >= {"slug", "title", "theme", "format", "hosts", "qa", "status", "version"}


def test_cookie_session_writes_need_the_csrf_token(client, login, factory, festival) -> None:
    session = factory.session(festival)
    login(client, factory.user())
    client.application.config["WTF_CSRF_ENABLED"] = True
    url = f"/api/v1/sessions/{session.slug}/registration"

    response = client.post(url)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf"
    assert client.get(url).json == {"status": "none"}

    page = client.get("/me/agenda").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(url, headers={"X-CSRFToken": token})
    assert (response.status_code, response.json) == (201, {"status": "confirmed"})


def test_openapi_describes_the_registration_paths(client) -> None:
    document = client.get("/api/v1/openapi.json").json
    path = document["paths"]["/sessions/{slug}/registration"]
    assert set(path) >= {"get", "post", "delete"}
    assert set(path["post"]["responses"]) == {"200", "201", "401", "404", "409"}
    assert set(path["delete"]["responses"]) == {"200", "401", "404", "409"}
    assert "/me/agenda" in document["paths"]
    assert {"RegistrationState", "Agenda", "AgendaEntry"} <= set(document["components"]["schemas"])


def test_registering_is_one_transaction_of_a_few_statements(client, factory, festival) -> None:
    """The token's user, the session row, the person's place, the seat, the queue and the
    insert (plus the session's row lock on PostgreSQL), committed once: no re-read after."""
    session = factory.session(festival, capacity=1)
    url = f"/api/v1/sessions/{session.slug}/registration"
    client.post(url, headers=bearer(factory.user()))
    headers = bearer(factory.user())
    with recorded() as (statements, commits):
        response = client.post(url, headers=headers)
    assert (response.status_code, response.json) == (201, {"status": "waitlisted", "position": 1})
    assert len(commits) == 1
    assert len(statements) <= 7, statements
    assert not any("agenda_items" in s or "session_hosts" in s for s in statements), statements
