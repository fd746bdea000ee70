"""Shared fixtures: a fresh app and database per test, an injected clock, clients and factories,
signing people in, a festival, and a live room to test in.

Set NETWORKFEST_TEST_DATABASE_URL to a PostgreSQL URL to run the whole suite on it.
Set NETWORKFEST_REQUIRE_SERVICES=1 (as .ci/run does) to turn a skip for a missing
PostgreSQL, Redis or Chromium into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from flask_socketio import SocketIOTestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from networkfest import create_app
from networkfest.accounts.services import start_sign_in
from networkfest.clock import SettableClock
from networkfest.extensions import db, socketio
from tests import factories
from tests.factories import FESTIVAL_START, PASSWORD
from tests.live.helpers import Room, make_room

PG_URL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL_DEFAULT = "redis://127.0.0.1:6379/0"


def require_services() -> bool:
    return os.environ.get("NETWORKFEST_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """A missing service skips on a developer's machine and fails in CI."""
    if require_services():
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def postgres_url() -> str:
    """A PostgreSQL URL that answers, or a skip (a failure in CI)."""
    url = os.environ.get("NETWORKFEST_TEST_POSTGRES_URL", PG_URL_DEFAULT)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        skip_or_fail(f"PostgreSQL not reachable at {url}: {error.__class__.__name__}")
    finally:
        engine.dispose()
    return url


def redis_url() -> str:
    import redis

    url = os.environ.get("NETWORKFEST_TEST_REDIS_URL", REDIS_URL_DEFAULT)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis not reachable at {url}: {error.__class__.__name__}")
    return url


def run_tag(worker_id: str) -> str:
    """Names this test process's databases, so parallel runs on one server never collide."""
    return f"{worker_id}_{os.getpid()}"


def fresh_postgres_database(base_url: str, name: str) -> str:
    """A new, empty PostgreSQL database next to `base_url`'s (dropped first if it exists)."""
    url = make_url(base_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def suite_database_url(worker_id: str) -> Iterator[str | None]:
    """The suite's PostgreSQL database when the suite runs on PostgreSQL, else None (SQLite)."""
    base = os.environ.get("NETWORKFEST_TEST_DATABASE_URL")
    if not base:
        yield None
        return
    if not base.startswith("postgresql"):
        raise pytest.UsageError("NETWORKFEST_TEST_DATABASE_URL must be a PostgreSQL URL")
    url = fresh_postgres_database(base, f"networkfest_test_{run_tag(worker_id)}")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def scratch_database_url(
    suite_database_url: str | None, tmp_path: Path, worker_id: str
) -> Iterator[str]:
    """A second, empty database of the suite's kind, for servers, migrations and restores."""
    if suite_database_url is None:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    url = fresh_postgres_database(suite_database_url, f"networkfest_scratch_{run_tag(worker_id)}")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def database_url(suite_database_url: str | None, tmp_path: Path) -> str:
    if suite_database_url is not None:
        return suite_database_url
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def clock() -> SettableClock:
    """The server's clock, stopped on the festival's first morning; tests move it."""
    return SettableClock(FESTIVAL_START)


def test_settings(database_url: str, clock: SettableClock) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CLOCK": clock,
        "WTF_CSRF_ENABLED": False,
        "TICKER": False,
        "MESSAGE_QUEUE": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
        "MAIL_BACKEND": "memory",
        "FANOUT_INTERVAL_MS": 0,
    }


@pytest.fixture
def app_settings(database_url: str, clock: SettableClock) -> dict[str, Any]:
    """Override in a test module to change settings before the app is built."""
    return test_settings(database_url, clock)


class RequestIsolatingClient(FlaskClient):
    """Each test request gets its own app context, as on a real server.

    The `app` fixture keeps a context pushed for the test's own database work; without this,
    requests would share it and with it `g` (Flask-Login's cached caller) and the ORM session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # What the test wrote is committed before the request sees it, and the test's own
        # transaction must not hold SQLite's write lock while the request wants it.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_settings)
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        db.session.rollback()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
        ctx.pop()


@pytest.fixture
def another_app(app: Flask, app_settings: dict[str, Any]) -> Iterator[Callable[[], Flask]]:
    """Another instance of the server on the same database, as a second process would be
    (with no message queue between them unless the settings name one)."""
    made: list[Flask] = []

    def _make() -> Flask:
        other = create_app(dict(app_settings))
        made.append(other)
        return other

    yield _make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def sign_in_cookie(user: Any) -> str:
    """A real sign-in (one the server can end) for the user, as the value Flask-Login keeps
    in the session cookie; needs an app context."""
    start_sign_in(db.session, user, datetime(2026, 9, 1, tzinfo=UTC))
    cookie: str = user.get_id()
    return cookie


def sign_in(client: FlaskClient, user: Any) -> FlaskClient:
    """Sign a test client in as the user without the login form (in the test's own app
    context when there is one: a second session would wait for the first's write lock)."""
    if has_app_context():
        cookie = sign_in_cookie(user)
    else:
        with client.application.app_context():
            cookie = sign_in_cookie(user)
    with client.session_transaction() as session:
        session["_user_id"] = cookie
        session["_fresh"] = True
    return client


@pytest.fixture
def signed_in(app: Flask) -> Callable[[Any], FlaskClient]:
    """`signed_in(user)`: a new test client signed in as the user, without the login form."""

    def _client(user: Any) -> FlaskClient:
        return sign_in(app.test_client(), user)

    return _client


@pytest.fixture
def login(app: Flask) -> Callable[[FlaskClient, Any], FlaskClient]:
    """Sign a test client in as a user through the real login form."""

    def _login(client: FlaskClient, user: Any) -> FlaskClient:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture
def socket_client(
    app: Flask, login: Callable[[FlaskClient, Any], FlaskClient]
) -> Iterator[Callable[..., SocketIOTestClient]]:
    """Socket.IO test clients on `/live`: anonymous, signed in by cookie, or by token auth."""
    made: list[SocketIOTestClient] = []

    def _make(user: Any = None, *, auth: dict[str, Any] | None = None) -> SocketIOTestClient:
        http = app.test_client()
        if user is not None:
            login(http, user)
        sio = socketio.test_client(app, namespace="/live", flask_test_client=http, auth=auth)
        made.append(sio)
        return sio

    yield _make
    for sio in made:
        if sio.is_connected("/live"):
            sio.disconnect("/live")


class Factory:
    """`factory.user()`, `factory.festival()`, `factory.session(festival)`,
    `factory.registration(session, user, status, at)`; committed at once."""

    def user(self, **kwargs: Any) -> Any:
        return self._commit(factories.make_user(db.session, **kwargs))

    def organiser(self, **kwargs: Any) -> Any:
        return self._commit(factories.make_user(db.session, organiser=True, **kwargs))

    def festival(self, **kwargs: Any) -> Any:
        return self._commit(factories.make_festival(db.session, **kwargs))

    def session(self, festival: Any, **kwargs: Any) -> Any:
        return self._commit(factories.make_session(db.session, festival, **kwargs))

    def registration(self, festival_session: Any, user: Any, status: str, at: Any) -> Any:
        """A place; a confirmed one takes a seat (`factories.make_registration`)."""
        return self._commit(
            factories.make_registration(db.session, festival_session, user, status, at)
        )

    @staticmethod
    def _commit(obj: Any) -> Any:
        db.session.commit()
        return obj


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory()


@pytest.fixture
def festival(factory: Factory) -> Any:
    return factory.festival()


@pytest.fixture
def room(factory: Factory) -> Room:
    """A moderated session with its host, two confirmed attendees, an organiser and the host
    of another session, as plain values (`tests.live.helpers.Room`)."""
    return make_room(factory)
