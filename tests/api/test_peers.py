"""`GET /api/v1/sessions/<slug>/peers`: the others who chose, for a caller who chose too;
a JSON 403 for anyone else, hosts and organisers included."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token
from networkfest.api.openapi import document
from networkfest.extensions import db
from networkfest.peers import services
from tests.peers.helpers import AFTER, choose, ended_session


def peers_schema() -> dict[str, Any]:
    doc = document()
    operation = doc["paths"]["/sessions/{slug}/peers"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return {**schema, "components": doc["components"]}


def bearer(user_id: int, secret: str) -> dict[str, str]:
    db.session.add(
        ApiToken(user_id=user_id, name="t", token_hash=hash_token(secret), created_at=AFTER)
    )
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_caller_who_chose_gets_the_others_who_chose(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    world.ben.organisation, world.ben.role = "Care Network", "Lead"
    db.session.commit()
    choose(world, world.ann, world.ben, world.cal)
    response = signed_in(world.ann).get(f"/api/v1/sessions/{world.slug}/peers")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "peers": [
            {"name": "Ben Bright", "organisation": "Care Network", "email": "ben@example.org"},
            {"name": "Cal Calm", "organisation": "", "email": "cal@example.org"},
        ]
    }
    jsonschema.validate(body, peers_schema())
    assert "no-store" in response.headers["Cache-Control"]


def test_by_bearer_token(factory, clock, client) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    headers = bearer(world.ben.id, "ben-token")
    response = client.get(f"/api/v1/sessions/{world.slug}/peers", headers=headers)
    assert response.status_code == 200
    assert [peer["name"] for peer in response.get_json()["peers"]] == ["Ann Able"]


def test_alone_on_the_list_is_an_empty_list(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    response = signed_in(world.ann).get(f"/api/v1/sessions/{world.slug}/peers")
    assert (response.status_code, response.get_json()) == (200, {"peers": []})


@pytest.mark.parametrize("who", ["cal", "host", "organiser", "stranger"])
def test_anyone_who_did_not_choose_gets_a_403(factory, clock, signed_in, who) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    response = signed_in(getattr(world, who)).get(f"/api/v1/sessions/{world.slug}/peers")
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "forbidden"
    assert "chose to stay in touch" in error["message"]
    assert "ann@example.org" not in response.get_data(as_text=True)


def test_a_withdrawn_caller_is_refused_and_vanishes(factory, clock, signed_in) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    services.withdraw(db.session, world.session_id, world.ben.id, AFTER)
    assert signed_in(world.ben).get(f"/api/v1/sessions/{world.slug}/peers").status_code == 403
    response = signed_in(world.ann).get(f"/api/v1/sessions/{world.slug}/peers")
    assert response.get_json() == {"peers": []}


def test_visitors_get_a_401_and_unknown_sessions_a_404(factory, clock, client, signed_in) -> None:
    world = ended_session(factory, clock)
    visitor = client.get(f"/api/v1/sessions/{world.slug}/peers")
    assert visitor.status_code == 401
    assert visitor.get_json()["error"]["code"] == "unauthenticated"
    missing = signed_in(world.ann).get("/api/v1/sessions/nope/peers")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_described_in_openapi(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/sessions/{slug}/peers"]["get"]
    assert set(operation["responses"]) == {"200", "401", "403", "404"}
    assert doc["components"]["schemas"]["Peer"]["required"] == ["name", "organisation", "email"]
