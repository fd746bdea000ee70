"""The app factory, settings and the embedded default."""

from __future__ import annotations

from flask import Flask, request
from flask.testing import FlaskClient

from networkfest import create_app
from networkfest.config import default_database_url


def test_embedded_default_is_sqlite_under_instance(monkeypatch, tmp_path) -> None:
    for name in ("NETWORKFEST_DATABASE_URL", "NETWORKFEST_MESSAGE_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TICKER": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == default_database_url(app.instance_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/networkfest.sqlite3")
    assert app.config["MESSAGE_QUEUE"] is None


def test_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("NETWORKFEST_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("NETWORKFEST_BASE_URL", "https://festival.example.org/")
    monkeypatch.setenv("NETWORKFEST_SECRET_KEY", "s3cret")
    app = create_app({"TICKER": False})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"
    assert app.config["BASE_URL"] == "https://festival.example.org"
    assert app.config["SECRET_KEY"] == "s3cret"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app: Flask) -> None:
    import pytest
    from sqlalchemy import text

    from networkfest.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas; this run is on PostgreSQL")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_health_check_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_request_without_the_session_cookie_gets_a_new_empty_session(app: Flask) -> None:
    """The cookie-less path (`web.SessionInterface.open_session`) answers as Flask's does,
    without werkzeug raising and catching a KeyError: an empty new session, none without a
    secret key, and a request with the cookie still reads what was signed into it."""
    interface = app.session_interface
    with app.test_request_context("/"):
        session = interface.open_session(app, request)
        assert session is not None and dict(session) == {} and not session.modified
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps({'seen': 1})}"
    with app.test_request_context("/", headers={"Cookie": cookie}):
        assert dict(interface.open_session(app, request) or {}) == {"seen": 1}
    secret, app.secret_key = app.secret_key, None
    try:
        with app.test_request_context("/"):
            assert interface.open_session(app, request) is None
    finally:
        app.secret_key = secret


def test_every_page_names_the_sites_icon(client: FlaskClient) -> None:
    """Without it, browsers ask for /favicon.ico, which is not there: a 404 in every console."""
    page = client.get("/schedule").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
