"""Session cookies: HttpOnly and SameSite=Lax always, Secure when the site is served over HTTPS."""

from __future__ import annotations

from typing import Any

import pytest

from tests import conftest
from tests.factories import PASSWORD


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    return conftest.test_settings(database_url, clock) | {"BASE_URL": "https://fest.example.org"}


def session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(client, factory) -> None:
    user = factory.user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        base_url="https://fest.example.org",
    )
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
