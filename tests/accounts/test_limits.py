"""Rate limits on sign-in, sign-up, password reset and token creation (Flask-Limiter)."""

from __future__ import annotations

from tests.factories import PASSWORD


def test_failed_sign_ins_are_limited_per_account_with_a_message_in_the_form(
    client, factory
) -> None:
    user = factory.user()
    for _ in range(5):
        bad = client.post("/login", data={"email": user.email, "password": "guess guess"})
        assert bad.status_code == 400
    # Even the right password waits now, and in another case: the account is what counts.
    blocked = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "Too many sign-in attempts" in text and 'name="password"' in text
    other = factory.user()
    assert (
        client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
    )


def test_failed_sign_ins_are_limited_per_address(client, factory) -> None:
    for n in range(10):
        data = {"email": f"guess{n}@example.org", "password": "guess guess"}
        assert client.post("/login", data=data).status_code == 400
    user = factory.user()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    )
    elsewhere = client.application.test_client()
    response = elsewhere.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302


def test_successful_sign_ins_do_not_count(client, factory) -> None:
    user = factory.user()
    for _ in range(12):
        assert (
            client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
            == 302
        )


def test_sign_up_is_limited(app, client) -> None:
    app.config["ACCOUNTS_RATE_LIMITS"] = {"signup": "2 per hour"}
    for _ in range(2):
        data = {"name": "N", "email": "bad", "password": "x", "confirm": "x"}
        assert client.post("/signup", data=data).status_code == 400
    response = client.post("/signup", data={"name": "N", "email": "n@example.org"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_password_reset_is_limited_per_account(client, factory) -> None:
    user = factory.user()
    for _ in range(3):
        assert client.post("/forgot-password", data={"email": user.email}).status_code == 200
    assert client.post("/forgot-password", data={"email": user.email}).status_code == 429


def test_token_creation_is_limited_per_person(app, client, factory, login) -> None:
    app.config["ACCOUNTS_RATE_LIMITS"] = {"token": "2 per hour"}
    login(client, factory.user())
    for n in range(2):
        assert client.post("/me/tokens", data={"name": f"t{n}"}).status_code == 201
    response = client.post("/me/tokens", data={"name": "one too many"})
    assert response.status_code == 429 and "Too many attempts" in response.get_data(as_text=True)
