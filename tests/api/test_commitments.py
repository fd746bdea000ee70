"""`GET /api/v1/me/commitments` and `POST /api/v1/me/commitments/<id>/answer`, as DESIGN
describes them, by personal token, validated on the server, against the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
import pytest

from networkfest.accounts import services as accounts
from networkfest.accounts.models import User
from networkfest.api.openapi import document
from networkfest.commitments.models import Commitment
from networkfest.extensions import db
from tests.commitments.helpers import AFTER, ENDS, commit_to, ended_session


def response_schema(path: str, method: str) -> dict[str, Any]:
    doc = document()
    content = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return {**content["schema"], "components": doc["components"]}


@pytest.fixture
def owner(factory: Any, clock: Any) -> dict[str, Any]:
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox every item", AFTER)
    raw = accounts.create_api_token(
        db.session, db.session.get(User, ended.owner_id), "script", clock.now()
    )
    other_raw = accounts.create_api_token(
        db.session, db.session.get(User, ended.other_id), "script", clock.now()
    )
    return {
        "ended": ended,
        "id": cid,
        "headers": {"Authorization": f"Bearer {raw}"},
        "other": {"Authorization": f"Bearer {other_raw}"},
    }


def test_lists_the_callers_commitments(client, owner) -> None:
    response = client.get("/api/v1/me/commitments", headers=owner["headers"])

    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "commitments": [
            {
                "id": owner["id"],
                "session": owner["ended"].slug,
                "text": "Timebox every item",
                "made_at": AFTER.isoformat(),
                "follow_up_due": (ENDS + timedelta(weeks=4)).isoformat(),
                "answer": None,
            }
        ]
    }
    jsonschema.validate(body, response_schema("/me/commitments", "get"))
    others = client.get("/api/v1/me/commitments", headers=owner["other"]).get_json()
    assert others == {"commitments": []}


def test_visitors_get_a_json_401(client, owner) -> None:
    assert client.get("/api/v1/me/commitments").status_code == 401
    response = client.post(f"/api/v1/me/commitments/{owner['id']}/answer", json={"answer": "done"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_answering_returns_the_commitment_and_can_change(client, owner, clock) -> None:
    url = f"/api/v1/me/commitments/{owner['id']}/answer"
    clock.set(ENDS + timedelta(weeks=5))

    first = client.post(url, json={"answer": "partly", "note": "Half"}, headers=owner["headers"])
    second = client.post(url, json={"answer": "not_yet"}, headers=owner["headers"])

    assert first.status_code == second.status_code == 200
    assert first.get_json()["answer"] == "partly"
    assert second.get_json()["answer"] == "not_yet"
    jsonschema.validate(
        second.get_json(), response_schema("/me/commitments/{commitment_id}/answer", "post")
    )
    db.session.rollback()
    row = db.session.get(Commitment, owner["id"])
    assert (row.answer, row.note, row.answered_at) == ("not_yet", "", ENDS + timedelta(weeks=5))


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"answer": "maybe"}, 400, "invalid"),
        ({"answer": None}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"answer": ["done"]}, 400, "invalid"),
        ({"answer": "done", "note": 5}, 400, "invalid"),
        ({"answer": "done", "note": "x" * 1001}, 400, "too_long"),
    ],
)
def test_bad_answers_get_a_json_4xx(client, owner, body, status, code) -> None:
    url = f"/api/v1/me/commitments/{owner['id']}/answer"
    response = client.post(url, json=body, headers=owner["headers"])

    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    db.session.rollback()
    assert db.session.get(Commitment, owner["id"]).answer is None


def test_a_body_that_is_not_an_object_is_a_400(client, owner) -> None:
    url = f"/api/v1/me/commitments/{owner['id']}/answer"
    response = client.post(url, json=["done"], headers=owner["headers"])
    assert response.status_code == 400


def test_someone_elses_or_a_missing_commitment_is_a_404(client, owner) -> None:
    url = f"/api/v1/me/commitments/{owner['id']}/answer"
    theirs = client.post(url, json={"answer": "done"}, headers=owner["other"])
    missing = client.post(
        "/api/v1/me/commitments/99999/answer", json={"answer": "done"}, headers=owner["headers"]
    )

    huge = client.post(
        f"/api/v1/me/commitments/{2**70}/answer", json={"answer": "done"}, headers=owner["headers"]
    )

    assert theirs.status_code == missing.status_code == huge.status_code == 404
    assert theirs.get_json()["error"]["code"] == "not_found"
    db.session.rollback()
    assert db.session.get(Commitment, owner["id"]).answer is None


def test_both_operations_are_in_the_openapi_document(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/me/commitments"]
    assert "post" in paths["/me/commitments/{commitment_id}/answer"]
