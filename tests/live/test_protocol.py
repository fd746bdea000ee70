"""The live protocol through Flask-SocketIO's test client: connecting, joining and leaving,
and junk for every event. The Q&A events (ask, vote, moderate): tests/qa/test_sockets.py."""

from __future__ import annotations

import pytest
from flask import Flask

from networkfest.accounts import services as accounts
from networkfest.accounts.models import User
from networkfest.extensions import db, socketio
from tests.factories import DURING
from tests.live.helpers import Room, ask, emit, error_code, joined

# --- connecting ------------------------------------------------------------------------------


def test_anonymous_watchers_connect_and_join(socket_client, room: Room, clock) -> None:
    clock.set(DURING)
    sio = socket_client()
    assert sio.is_connected("/live")
    state = joined(sio, room.slug)
    assert state["questions"] == [] and state["my_votes"] == []
    assert state["clock"]["session"] == room.slug
    assert state["clock"]["phase"] == "live"


@pytest.mark.parametrize("signed_in_by", ["nothing", "token"])
def test_foreign_origin_is_refused_at_the_handshake(
    app, room: Room, clock, signed_in_by: str
) -> None:
    """A token's connection is checked outside Flask-SocketIO's request context
    (`LiveNamespace.trigger_event`), from the handshake's headers all the same."""
    auth = None
    if signed_in_by == "token":
        attendee = db.session.get(User, room.attendee.id)
        auth = {"token": accounts.create_api_token(db.session, attendee, "cli", clock.now())}
    sio = socketio.test_client(
        app, namespace="/live", headers={"Origin": "https://evil.example"}, auth=auth
    )
    assert not sio.is_connected("/live")
    good = socketio.test_client(
        app, namespace="/live", headers={"Origin": "http://localhost"}, auth=auth
    )
    assert good.is_connected("/live")
    good.disconnect("/live")


def test_engineio_refuses_a_foreign_origin_too(client) -> None:
    refused = client.get(
        "/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 400
    accepted = client.get(
        "/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"}
    )
    assert accepted.status_code == 200


def test_token_auth(socket_client, room: Room, clock) -> None:
    from networkfest.accounts.models import ApiToken
    from networkfest.accounts.tokens import hash_token

    db.session.add(
        ApiToken(
            user_id=room.attendee.id,
            name="test",
            token_hash=hash_token("good-token"),
            created_at=DURING,
        )
    )
    db.session.commit()
    clock.set(DURING)
    bad = socket_client(auth={"token": "wrong"})
    assert not bad.is_connected("/live")
    odd = socket_client(auth={"token": 12})
    assert not odd.is_connected("/live")
    sio = socket_client(auth={"token": "good-token"})
    assert sio.is_connected("/live")
    joined(sio, room.slug)
    ack = ask(sio, room.slug)
    assert ack["ok"] is True and ack["question"]["author"] == room.attendee.name


@pytest.mark.parametrize("signed_in_by", ["cookie", "token"])
def test_a_tokens_events_run_in_the_apps_context_alone(
    monkeypatch, socket_client, room: Room, clock, signed_in_by: str
) -> None:
    """Flask-SocketIO makes a request context for each event of a browser's connection; a
    token's connection has no use for one, and its join, ask and leave run in the app's
    context alone (`LiveNamespace.trigger_event`), answered alike."""
    made: list[object] = []
    request_context = Flask.request_context

    def counted(self: Flask, environ: dict) -> object:
        made.append(environ)
        return request_context(self, environ)

    clock.set(DURING)
    if signed_in_by == "cookie":
        sio = socket_client(room.attendee)
    else:
        attendee = db.session.get(User, room.attendee.id)
        raw = accounts.create_api_token(db.session, attendee, "cli", clock.now())
        sio = socket_client(auth={"token": raw})
    monkeypatch.setattr(Flask, "request_context", counted)

    assert joined(sio, room.slug)["clock"]["session"] == room.slug
    asked = ask(sio, room.slug)
    assert asked["ok"] is True and asked["question"]["author"] == room.attendee.name
    assert emit(sio, "leave", {"session": room.slug}) == {"ok": True}
    assert len(made) == (3 if signed_in_by == "cookie" else 0)


def test_join_unknown_session_and_malformed_payloads(socket_client, room: Room) -> None:
    sio = socket_client(room.attendee)
    assert error_code(emit(sio, "join", {"session": "no-such"})) == "not_found"
    for payload in (None, [], "x", 5, {"session": 5}, {"session": ""}, {}):
        assert error_code(emit(sio, "join", payload)) == "invalid"
    assert error_code(emit(sio, "join", {"session": "s" * 10_000})) == "too_long"
    assert error_code(emit(sio, "leave", None)) == "invalid"
    assert emit(sio, "leave", {"session": room.slug}) == {"ok": True}


# --- every event ---------------------------------------------------------------------------


@pytest.mark.parametrize("event", ["join", "leave", "ask", "vote", "moderate"])
def test_every_event_answers_junk_with_an_error(socket_client, room: Room, event: str) -> None:
    sio = socket_client(room.attendee)
    for payload in (None, [], [1, 2], 3.5, True, "x" * 100_000, {"session": {"a": 1}}):
        ack = emit(sio, event, payload)
        assert ack["ok"] is False and ack["error"]["code"] in {"invalid", "too_long", "not_found"}
