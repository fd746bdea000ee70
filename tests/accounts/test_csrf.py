"""With CSRF on (as in production), account forms need their token and say so clearly."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests import conftest
from tests.factories import PASSWORD


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    return conftest.test_settings(database_url, clock) | {"WTF_CSRF_ENABLED": True}


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_login_form_posts_email_and_password_with_a_token(client, factory) -> None:
    user = factory.user()
    form = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in form and 'name="password"' in form and 'name="csrf_token"' in form
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "did not come from this site" in refused.get_data(as_text=True)
    token = csrf_token(client, "/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def test_sign_out_needs_the_token(client, factory) -> None:
    user = factory.user()
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.get("/me").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/me")}).status_code == 302
    assert client.get("/me").status_code == 302


def test_a_call_click_needs_the_live_pages_token(client, factory, login) -> None:
    """Another site cannot count someone as going to the call (a form POSTed from it)."""
    festival = factory.festival()
    session = factory.session(festival)
    user = factory.user()
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    refused = client.post(f"/sessions/{session.slug}/call")
    assert refused.status_code == 400
