"""Resetting the personal feed is a form post: it needs the CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from networkfest.extensions import db


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    return {**app_settings, "WTF_CSRF_ENABLED": True}


def test_reset_without_a_csrf_token_is_refused(
    client: FlaskClient, factory: Any, login: Callable[[FlaskClient, Any], FlaskClient]
) -> None:
    user = factory.user()
    token = user.calendar_token
    client.get("/login")
    _login_with_csrf(client, user)
    response = client.post("/calendar/reset")
    assert response.status_code == 400
    assert b"did not come from this site" in response.data
    db.session.refresh(user)
    assert user.calendar_token == token


def _login_with_csrf(client: FlaskClient, user: Any) -> None:
    from tests.factories import PASSWORD

    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "the login form carries a CSRF token"
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": match.group(1)}
    )
    assert response.status_code in (302, 303)
