"""`GET /api/v1/sessions/<slug>/questions`."""

from __future__ import annotations

from networkfest.accounts.models import ApiToken, User
from networkfest.accounts.tokens import hash_token
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.qa import services as qa
from tests.factories import DURING
from tests.live.helpers import Room, emit


def ask(socket_client, room: Room, text: str) -> int:
    ack = emit(socket_client(room.attendee), "ask", {"session": room.slug, "text": text})
    return ack["question"]["id"]


def test_public_questions_for_anyone(client, socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    shown = ask(socket_client, room, "Shown")
    ask(socket_client, room, "Held")
    emit(socket_client(room.host), "moderate", {"question": shown, "action": "approve"})
    response = client.get(f"/api/v1/sessions/{room.slug}/questions")
    assert response.status_code == 200
    questions = response.get_json()["questions"]
    assert [q["text"] for q in questions] == ["Shown"]
    assert questions[0]["author"] == room.attendee.name and questions[0]["status"] == "visible"


def test_hosts_see_everything(client, room: Room) -> None:
    # Asked through the service: no cookie sign-in in this test, only the bearer token.
    qa.ask(
        db.session,
        db.session.get(FestivalSession, room.session_id),
        db.session.get(User, room.attendee.id),
        "Held",
        False,
        DURING,
    )
    db.session.add(
        ApiToken(
            user_id=room.host.id, name="t", token_hash=hash_token("host-token"), created_at=DURING
        )
    )
    db.session.commit()
    response = client.get(
        f"/api/v1/sessions/{room.slug}/questions", headers={"Authorization": "Bearer host-token"}
    )
    assert response.status_code == 200, response.get_json()
    assert [q["status"] for q in response.get_json()["questions"]] == ["pending"]


def test_errors(client, room: Room) -> None:
    missing = client.get("/api/v1/sessions/nope/questions")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    bad = client.get(
        f"/api/v1/sessions/{room.slug}/questions", headers={"Authorization": "Bearer wrong"}
    )
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthenticated"


def test_openapi_describes_it(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/sessions/{slug}/questions"]
    assert "Question" in document["components"]["schemas"]
