"""Over plain HTTP (development, tests) the cookie cannot be Secure, but keeps the rest."""

from __future__ import annotations

from tests.factories import PASSWORD


def test_the_session_cookie_is_httponly_and_lax(client, factory) -> None:
    user = factory.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
