"""`GET /api/v1/me`: by browser session or personal token, described in the OpenAPI document."""

from __future__ import annotations

import jsonschema

from networkfest.accounts import services
from networkfest.api.openapi import document
from networkfest.extensions import db


def me_schema() -> dict:
    doc = document()
    schema = doc["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]
    return {**schema["schema"], "components": doc["components"]}


def test_visitors_get_a_json_401(client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_by_browser_session(client, factory, login) -> None:
    user = factory.organiser(name="Ann")
    login(client, user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "name": "Ann",
        "email": user.email,
        "organiser": True,
        "calendar_url": f"http://localhost/calendar/{user.calendar_token}.ics",
        "organisation": "",
        "role": "",
    }
    jsonschema.validate(body, me_schema())


def test_an_organiser_flag_without_a_confirmed_address_is_no_organiser(
    client, factory, login
) -> None:
    login(client, factory.organiser(verified=False))
    assert client.get("/api/v1/me").get_json()["organiser"] is False


def test_by_bearer_token(app, client, factory, clock) -> None:
    factory.festival()
    user = factory.user()
    raw = services.create_api_token(db.session, user, "script", clock.now())
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == user.email
    assert response.get_json()["organiser"] is False
    # The personal feed it points to answers.
    feed = client.get(response.get_json()["calendar_url"].removeprefix("http://localhost"))
    assert feed.status_code == 200


def test_a_wrong_or_revoked_token_is_a_401(client, factory, clock) -> None:
    user = factory.user()
    raw = services.create_api_token(db.session, user, "script", clock.now())
    wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer nf_wrong"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["message"] == "That API token is not valid."
    [token] = services.api_tokens(db.session, user)
    services.revoke_api_token(db.session, user, token.id)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_described_in_openapi(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/me"]["get"]
    assert set(operation["responses"]) == {"200", "401"}
    assert doc["components"]["schemas"]["Me"]["required"] == [
        "name",
        "email",
        "organiser",
        "calendar_url",
    ]
