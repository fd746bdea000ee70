"""`/api/v1/sessions/<slug>/outcomes`: read by anyone once written; written by the session's
hosts and organisers, in the window, checked on the server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from networkfest.accounts import services as accounts
from networkfest.extensions import db
from networkfest.outcomes import services
from tests.outcomes.helpers import CLOSES, END, LAST_ITEM, LINKS, Cast, make_cast


@pytest.fixture
def cast(factory: Any) -> Cast:
    return make_cast(factory)


BODY = {"summary": "We named **two** pitfalls.", "links": LINKS}


def url(cast):
    return f"/api/v1/sessions/{cast.session.slug}/outcomes"


def bearer(user, clock):
    raw = accounts.create_api_token(db.session, user, "script", clock.now())
    return {"Authorization": f"Bearer {raw}"}


def test_404_until_written_then_anyone_reads_them(cast, clock, client):
    missing = client.get(url(cast))
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/sessions/no-such-session/outcomes").status_code == 404

    services.save(db.session, cast.session, cast.host, "Notes.", LINKS, END)
    response = client.get(url(cast))

    assert response.status_code == 200
    assert response.get_json() == {
        "summary": "Notes.",
        "links": LINKS,
        "updated_at": "2026-09-21T09:45:00+00:00",
    }


def test_a_host_puts_them_with_a_token_and_puts_again(cast, clock, client):
    headers = bearer(cast.host, clock)
    clock.set(LAST_ITEM)
    first = client.put(url(cast), json=BODY, headers=headers)
    clock.set(END + timedelta(hours=1))
    second = client.put(url(cast), json={"summary": "Shorter.", "links": []}, headers=headers)

    assert first.status_code == 200
    assert first.get_json()["links"] == LINKS
    assert second.status_code == 200
    assert second.get_json() == {
        "summary": "Shorter.",
        "links": [],
        "updated_at": "2026-09-21T10:45:00+00:00",
    }
    assert client.get(url(cast)).get_json()["summary"] == "Shorter."


def test_an_organiser_puts_them_through_the_browser_session(cast, clock, signed_in):
    clock.set(END)
    response = signed_in(cast.organiser).put(url(cast), json=BODY)
    assert response.status_code == 200


def test_who_may_not_write(cast, clock, client, signed_in):
    clock.set(END)
    assert client.put(url(cast), json=BODY).status_code == 401
    for person in (cast.attendee, cast.other_host):
        response = client.put(url(cast), json=BODY, headers=bearer(person, clock))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert (
        client.put(url(cast), json=BODY, headers={"Authorization": "Bearer nf_x"}).status_code
        == 401
    )
    assert services.outcome_of(db.session, cast.session.id) is None


def test_outside_the_window_is_a_409_with_its_reason(cast, clock, client):
    headers = bearer(cast.host, clock)
    clock.set(LAST_ITEM - timedelta(seconds=1))
    early = client.put(url(cast), json=BODY, headers=headers)
    clock.set(CLOSES)
    late = client.put(url(cast), json=BODY, headers=headers)
    cast.session.status = "cancelled"
    db.session.commit()
    clock.set(END)
    cancelled = client.put(url(cast), json=BODY, headers=headers)

    assert [r.status_code for r in (early, late, cancelled)] == [409, 409, 409]
    assert [r.get_json()["error"]["code"] for r in (early, late, cancelled)] == [
        "not_yet",
        "closed",
        "cancelled",
    ]


def test_bad_input_is_a_422_with_every_problem(cast, clock, client):
    headers = bearer(cast.host, clock)
    clock.set(END)
    body = {
        "summary": "x" * 5001,
        "links": [{"title": "Slides", "url": "javascript:alert(1)"}]
        + [{"title": "Fine", "url": "https://example.org"}] * 10,
    }

    response = client.put(url(cast), json=body, headers=headers)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["problems"] == [
        "Please keep the summary to 5,000 characters (it has 5,001).",
        "Please give at most 10 links (there are 11).",
        "Link 1: its address must start with http:// or https://.",
    ]
    assert error["message"].startswith("Please keep the summary")


def test_bodies_that_are_not_outcomes_get_a_4xx_never_a_500(cast, clock, client):
    headers = bearer(cast.host, clock)
    clock.set(END)
    for body in ({"summary": 3}, {"links": "nope"}, {"links": [None]}, {}, {"summary": None}):
        response = client.put(url(cast), json=body, headers=headers)
        assert response.status_code == 422, body
    not_json = client.put(
        url(cast), data="[1, 2]", headers=headers, content_type="application/json"
    )
    assert not_json.status_code == 400
    assert services.outcome_of(db.session, cast.session.id) is None


def test_the_openapi_document_describes_both_operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    path = document["paths"]["/sessions/{slug}/outcomes"]
    assert path["get"]["operationId"] == "getSessionOutcomes"
    assert set(path["put"]["responses"]) >= {"200", "401", "403", "404", "409", "422"}
    assert document["components"]["schemas"]["Outcomes"]["required"] == [
        "summary",
        "links",
        "updated_at",
    ]
