"""Identity holes, each tried as an attacker would: every test here failed on the code before
verified addresses, server-side sign-ins and revocation that reaches the live room."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from networkfest.accounts import services
from networkfest.accounts.models import ApiToken, User
from networkfest.extensions import db, socketio
from networkfest.mail import outbox
from networkfest.programme.services import publish
from tests.factories import PASSWORD
from tests.programme.schedules import schedule, session

NS = "/live"
HOST = "host@example.org"
STOLEN = "a password the attacker chose"
REAL = "the real host's own password"
# The test schedule's session: Monday 21 September 2026, 10:00 to 10:30 London time.
DURING = datetime(2026, 9, 21, 9, 5, tzinfo=UTC)


def signup(client: FlaskClient, email: str, password: str, name: str = "Mallory") -> None:
    data = {"name": name, "email": email, "password": password, "confirm": password}
    assert client.post("/signup", data=data).status_code == 200


def sign_in(client: FlaskClient, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_signing_up_with_a_hosts_address_never_makes_a_host(
    app: Flask, client: FlaskClient, socket_client: Any, clock: Any
) -> None:
    # The attacker signs up with the address the organisers will name, and signs in.
    signup(client, HOST, STOLEN)
    assert sign_in(client, HOST, STOLEN) == 302
    attacker = db.session.scalar(select(User).where(User.email == HOST))
    assert attacker is not None and not attacker.verified
    services.create_api_token(db.session, attacker, "script", clock.now())
    outbox(app).clear()

    result = publish(db.session, schedule(session()), clock.now())
    assert result.version == 1
    assert result.hosts_summary == (
        "0 hosts invited, 0 existing accounts attached, 1 unverified account sent an invitation"
    )
    # The account is an invitation now: the attacker's password, sign-in and token are gone.
    assert client.get("/me").status_code == 302
    assert sign_in(app.test_client(), HOST, STOLEN) == 400  # the form again, refused
    assert db.session.scalar(select(ApiToken)) is None

    # Whatever the attacker tries in the room, they are nobody there.
    clock.set(DURING)
    sio = socket_client()
    ack = sio.emit("agenda_next", {"session": "alpha"}, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthenticated"

    # The real host opens the invitation mailed to the address, and hosts.
    [mail] = [m for m in outbox(app) if m.to == HOST]
    link = re.search(r"http://localhost(/set-password/invite/\S+)", mail.body).group(1)
    host = app.test_client()
    assert host.post(link, data={"password": REAL, "confirm": REAL}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == HOST)).verified
    real = socket_client_for(app, host)
    ack = real.emit("agenda_next", {"session": "alpha"}, namespace=NS, callback=True)
    assert ack["ok"] is True, ack
    real.disconnect(NS)


def socket_client_for(app: Flask, client: FlaskClient) -> Any:
    return socketio.test_client(app, namespace=NS, flask_test_client=client)


def test_an_unverified_account_cannot_register_or_make_tokens(
    app: Flask, client: FlaskClient, factory: Any, login: Any
) -> None:
    festival = factory.festival()
    factory.session(festival, slug="open-session")
    person = factory.user(verified=False)
    login(client, person)
    refused = client.post("/api/v1/sessions/open-session/registration")
    assert refused.status_code == 403
    assert "confirm your e-mail address" in refused.get_json()["error"]["message"]
    assert client.post("/me/tokens", data={"name": "script"}).status_code == 403
    services.verify(db.session, person, datetime(2026, 9, 1, tzinfo=UTC))
    assert client.post("/api/v1/sessions/open-session/registration").status_code == 201


def test_deleting_the_token_signs_the_api_client_out_and_closes_its_sockets(
    app: Flask, factory: Any, socket_client: Any, clock: Any
) -> None:
    user = factory.user()
    raw = services.create_api_token(db.session, user, "laptop", clock.now())
    other = services.create_api_token(db.session, user, "phone", clock.now())
    with_it = socket_client(auth={"token": raw})
    with_other = socket_client(auth={"token": other})
    assert with_it.is_connected(NS) and with_other.is_connected(NS)
    bearer = {"Authorization": f"Bearer {raw}"}
    api = app.test_client()
    assert api.delete("/api/v1/me/token", headers=bearer).status_code == 204
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert not with_it.is_connected(NS)
    assert with_other.is_connected(NS)


def test_the_token_route_needs_a_token(client: FlaskClient, factory: Any, login: Any) -> None:
    login(client, factory.user())
    response = client.delete("/api/v1/me/token")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_revoking_a_token_on_the_profile_page_closes_its_sockets(
    client: FlaskClient, factory: Any, login: Any, socket_client: Any, clock: Any
) -> None:
    user = factory.user()
    raw = services.create_api_token(db.session, user, "laptop", clock.now())
    token_id = db.session.scalar(select(ApiToken.id))
    sio = socket_client(auth={"token": raw})
    login(client, user)
    assert client.post(f"/me/tokens/{token_id}/revoke").status_code == 302
    assert not sio.is_connected(NS)


def test_losing_the_organiser_role_closes_the_connections(
    client: FlaskClient, factory: Any, login: Any, socket_client: Any, clock: Any
) -> None:
    boss, demoted = factory.organiser(), factory.organiser()
    sio = socket_client(demoted)
    login(client, boss)
    response = client.post(f"/organiser/users/{demoted.id}/role", data={"organiser": "0"})
    assert response.status_code == 302
    assert not sio.is_connected(NS)


def test_a_host_removed_by_a_new_version_loses_the_hosts_room(
    app: Flask, factory: Any, socket_client: Any, clock: Any
) -> None:
    host = factory.user(email=HOST)
    publish(db.session, schedule(session()), clock.now())
    clock.set(DURING)
    sio = socket_client(host)
    join = sio.emit("join", {"session": "alpha"}, namespace=NS, callback=True)
    assert join["ok"]
    sio.get_received(NS)
    publish(db.session, schedule(session(hosts='["other@example.org"]')), clock.now())
    events = [message["name"] for message in sio.get_received(NS)] if sio.is_connected(NS) else []
    assert not sio.is_connected(NS), events


def test_a_deeply_nested_schedule_is_a_checking_error(
    client: FlaskClient, factory: Any, login: Any
) -> None:
    login(client, factory.organiser())
    nested = "a = " + "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/organiser/schedule",
        data={"file": (io.BytesIO(nested.encode()), "deep.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code < 500
    assert "nested too deeply" in response.get_data(as_text=True)


def test_the_session_page_asks_an_unverified_person_to_confirm_first(
    client: FlaskClient, factory: Any, login: Any
) -> None:
    festival = factory.festival()
    factory.session(festival, slug="open-session")
    login(client, factory.user(verified=False))
    page = client.get("/sessions/open-session").get_data(as_text=True)
    assert "Confirm your e-mail address to register" in page
    assert "/sessions/open-session/register" not in page


def test_deleting_the_account_closes_every_live_connection(
    client: FlaskClient, factory: Any, login: Any, socket_client: Any, clock: Any
) -> None:
    user = factory.user()
    raw = services.create_api_token(db.session, user, "laptop", clock.now())
    by_cookie, by_token = socket_client(user), socket_client(auth={"token": raw})
    login(client, user)
    response = client.post("/me/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert not by_cookie.is_connected(NS) and not by_token.is_connected(NS)
