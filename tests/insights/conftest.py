"""Helpers for the insights tests: sign-in without the login form, presence and registrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from networkfest.extensions import db, socketio
from networkfest.live.models import Presence
from networkfest.registration.models import Registration


def sign_in(client: FlaskClient, user: Any) -> FlaskClient:
    """Put the user in the cookie session as Flask-Login does, independent of the login page."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def attend(
    festival_session: Any,
    user: Any,
    joined_at: datetime,
    left_at: datetime | None = None,
    sid: str = "sid",
) -> Presence:
    presence = Presence(
        session_id=festival_session.id,
        user_id=None if user is None else user.id,
        sid=sid,
        joined_at=joined_at,
        left_at=left_at,
    )
    db.session.add(presence)
    db.session.commit()
    return presence


def register(festival_session: Any, user: Any, status: str, at: datetime) -> Registration:
    registration = Registration(
        session_id=festival_session.id,
        user_id=user.id,
        status=status,
        queued_at=at,
        updated_at=at,
    )
    db.session.add(registration)
    if status == "confirmed":
        festival_session.confirmed_count += 1
    db.session.commit()
    return registration


def after(instant: datetime, minutes: float) -> datetime:
    return instant + timedelta(minutes=minutes)


@pytest.fixture
def signed_in(app: Flask) -> Callable[[Any], FlaskClient]:
    def _client(user: Any) -> FlaskClient:
        return sign_in(app.test_client(), user)

    return _client


@pytest.fixture
def live_client(app: Flask) -> Iterator[Callable[[Any], SocketIOTestClient]]:
    """A Socket.IO client on /live carrying the user's cookie session."""
    made: list[SocketIOTestClient] = []

    def _make(user: Any = None) -> SocketIOTestClient:
        http = app.test_client()
        if user is not None:
            sign_in(http, user)
        sio = socketio.test_client(app, namespace="/live", flask_test_client=http)
        made.append(sio)
        return sio

    yield _make
    for sio in made:
        if sio.is_connected("/live"):
            sio.disconnect("/live")
