"""`GET /api/v1/sessions/<slug>/polls` and the hosts' CSV of a session's polls."""

from __future__ import annotations

import csv
import io
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token
from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.polls import services
from tests.factories import DURING
from tests.live.helpers import Room
from tests.polls.helpers import answer, close, open_poll, prepare, votes


def run_polls(socket_client: Any, room: Room) -> list[int]:
    """The first poll (live results) answered and closed; the second (hidden results) open."""
    polls = prepare(room.session_id)
    host = socket_client(room.host)
    open_poll(host, room.slug, polls[0])
    answer(socket_client(room.attendee), polls[0], 1, 2)
    answer(socket_client(room.other), polls[0], 2)
    close(host, polls[0])
    open_poll(host, room.slug, polls[1])
    answer(socket_client(room.attendee), polls[1], 1)
    return polls


def bearer(user_id: int, secret: str) -> dict[str, str]:
    db.session.add(
        ApiToken(user_id=user_id, name="t", token_hash=hash_token(secret), created_at=DURING)
    )
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_everyone_gets_the_polls_with_the_public_counts(
    client: FlaskClient, socket_client: Any, room: Room, clock: SettableClock
) -> None:
    clock.set(DURING)
    polls = run_polls(socket_client, room)
    response = client.get(f"/api/v1/sessions/{room.slug}/polls")
    assert response.status_code == 200
    listed = response.get_json()["polls"]
    assert [(p["id"], p["status"]) for p in listed] == [(polls[0], "closed"), (polls[1], "open")]
    assert votes(listed[0]) == [1, 2, 0] and listed[0]["total"] == 2
    assert votes(listed[1]) == [None, None] and listed[1]["total"] == 1
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {**document["components"]["schemas"]["Poll"], "components": document["components"]}
    for poll in listed:
        jsonschema.validate(poll, schema)


def test_hosts_see_every_count_and_the_prepared_polls(
    client: FlaskClient, socket_client: Any, room: Room, clock: SettableClock
) -> None:
    clock.set(DURING)
    polls = prepare(room.session_id)
    headers = bearer(room.host.id, "host-token")
    listed = client.get(f"/api/v1/sessions/{room.slug}/polls", headers=headers).get_json()
    assert [(p["id"], p["status"]) for p in listed["polls"]] == [
        (polls[0], "ready"),
        (polls[1], "ready"),
    ]
    assert client.get(f"/api/v1/sessions/{room.slug}/polls").get_json() == {"polls": []}


def test_errors_and_the_openapi_document(client: FlaskClient, room: Room) -> None:
    missing = client.get("/api/v1/sessions/nope/polls")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    bad = client.get(f"/api/v1/sessions/{room.slug}/polls", headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/sessions/{slug}/polls"]
    assert "Poll" in document["components"]["schemas"]


def test_the_hosts_csv(
    app: Flask, login: Any, socket_client: Any, room: Room, clock: SettableClock
) -> None:
    clock.set(DURING)
    polls = run_polls(socket_client, room)
    url = f"/sessions/{room.slug}/polls.csv"

    def as_(who: Any) -> Any:
        return login(app.test_client(), who).get(url)

    response = as_(room.host)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="{room.slug}-polls.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(int(r["poll"]), r["option"], r["votes"], r["answered"]) for r in rows] == [
        (polls[0], "1", "1", "2"),
        (polls[0], "2", "2", "2"),
        (polls[0], "3", "0", "2"),
        (polls[1], "1", "1", "1"),
        (polls[1], "2", "0", "1"),
    ]
    assert rows[0]["status"] == "closed" and rows[0]["multiple"] == "yes"
    assert as_(room.attendee).status_code == 403
    assert as_(room.organiser).status_code == 200


def test_turnout_for_the_dashboard(socket_client: Any, room: Room, clock: SettableClock) -> None:
    clock.set(DURING)
    polls = run_polls(socket_client, room)
    figures = services.turnout(db.session, [room.session_id])
    assert [(t.poll_id, t.status, t.answered) for t in figures] == [
        (polls[0], "closed", 2),
        (polls[1], "open", 1),
    ]
    assert services.turnout(db.session, []) == []
