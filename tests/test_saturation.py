"""A saturated database pool answers fast and clearly (issue 18).

The pure parts without an app: the once-per-interval rule for logging refusals, the pool
settings read from the environment, and the coalescer keeping what it could not settle.
Then a pool of one connection without an app: who waits how long for it (`CallerPool`), and
an idle one pinged and replaced. Then an app whose pool has one connection, held by the
test: a live event waits the pool timeout and is refused `busy` with nothing written, and a
request answers 503 with `Retry-After`. The same against a real server with many voters:
tests/scale/test_small_pool.py; the live page's retries: tests/browser/test_live_busy.py.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from networkfest import config, database
from networkfest.clock import SettableClock
from networkfest.config import SettingsError, engine_options
from networkfest.database import (
    RETRY_AFTER_S,
    CallerPool,
    OncePerInterval,
    answering,
    ping_idle_connections,
)
from networkfest.extensions import db
from networkfest.fanout import Coalescer, Fresh, run_flush_loop
from networkfest.qa.models import Question, Vote
from networkfest.realtime.protocol import ERROR_CODES
from tests.conftest import test_settings as suite_settings
from tests.factories import DURING
from tests.live.helpers import Room, emit

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/networkfest"

# The pure parts -------------------------------------------------------------------------


def test_refusals_are_logged_at_once_then_once_per_interval_with_their_number() -> None:
    rule = OncePerInterval(10.0)
    assert rule.count(100.0) == 1
    assert [rule.count(100.0 + t) for t in (0.1, 2.0, 9.9)] == [None, None, None]
    assert rule.count(110.0) == 4  # the three held back and this one
    assert rule.count(115.0) is None
    assert rule.count(140.0) == 2


def test_busy_is_one_of_the_protocols_error_codes() -> None:
    assert "busy" in ERROR_CODES


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set `NETWORKFEST_*` variables for one test."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(config.ENV_PREFIX + name, value)

    for name in ("DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW", "DATABASE_POOL_TIMEOUT"):
        monkeypatch.delenv(config.ENV_PREFIX + name, raising=False)
    return set_env


def test_postgresql_gets_the_documented_pool_by_default(environment: Callable[..., None]) -> None:
    assert engine_options(PG_URL) == {
        "pool_pre_ping": False,  # idle connections only: `database.ping_idle_connections`
        "poolclass": CallerPool,
        "pool_size": config.DEFAULT_POOL_SIZE,
        "max_overflow": config.DEFAULT_MAX_OVERFLOW,
        "pool_timeout": config.DEFAULT_POOL_TIMEOUT_S,
    }
    assert config.DEFAULT_POOL_TIMEOUT_S <= 2


def test_connections_opened_in_a_rush_that_lasts_are_kept_for_the_next_requests(
    environment: Callable[..., None], tmp_path: Path
) -> None:
    """With the default pool a rush opens its connections once. An overflow connection is
    closed when it is given back, and 30 registrations queued on one session's lock, each
    holding a connection, then opened and closed one for every request beyond the pool's
    own: a PostgreSQL backend started and stopped each time (docs/deploy.md)."""
    options = engine_options(PG_URL)
    engine = create_engine(
        f"sqlite:///{tmp_path / 'rush.sqlite3'}",
        poolclass=options["poolclass"],
        pool_size=options["pool_size"],
        max_overflow=options["max_overflow"],
    )
    opened: list[object] = []
    event.listen(engine, "connect", lambda connection, _record: opened.append(connection))
    rush = 30
    try:
        for _wave in range(3):
            held = [engine.connect() for _ in range(rush)]
            for connection in held:
                connection.close()
    finally:
        engine.dispose()
    assert len(opened) == rush


def test_the_pool_settings_come_from_the_environment(environment: Callable[..., None]) -> None:
    environment(DATABASE_POOL_SIZE="2", DATABASE_MAX_OVERFLOW="0", DATABASE_POOL_TIMEOUT="0.5")
    options = engine_options(PG_URL)
    assert (options["pool_size"], options["max_overflow"], options["pool_timeout"]) == (2, 0, 0.5)


def test_sqlite_keeps_its_own_pool(environment: Callable[..., None]) -> None:
    environment(DATABASE_POOL_SIZE="2")
    assert engine_options("sqlite:///instance/networkfest.sqlite3") == {"pool_pre_ping": True}


@pytest.mark.parametrize(
    "name, value",
    [
        ("DATABASE_POOL_SIZE", "0"),
        ("DATABASE_POOL_SIZE", "many"),
        ("DATABASE_MAX_OVERFLOW", "-1"),
        ("DATABASE_POOL_TIMEOUT", "0"),
        ("DATABASE_POOL_TIMEOUT", "soon"),
        ("DATABASE_POOL_TIMEOUT", "nan"),
    ],
)
def test_impossible_pool_settings_are_refused_by_name(
    environment: Callable[..., None], name: str, value: str
) -> None:
    environment(**{name: value})
    with pytest.raises(SettingsError, match=config.ENV_PREFIX + name):
        engine_options(PG_URL)


def test_a_settling_the_pool_could_not_serve_is_tried_again_after_an_interval() -> None:
    sent: list[tuple[str, dict[str, Any], str]] = []
    answers: list[list[Fresh] | Exception] = [
        PoolTimeout("QueuePool limit reached"),
        [({"id": 7, "votes": 12}, "session:1", 7, 12)],
    ]

    def refresh(keys: list[Hashable]) -> list[Fresh]:
        assert keys == [7]
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    coalescer = Coalescer(lambda event, payload, room: sent.append((event, payload, room)), 0.2)
    coalescer.refreshers["question"] = refresh
    coalescer.offer("question", {"id": 7, "votes": 11}, "session:1", 7, version=11)
    sleeps: list[float] = []

    flushes = run_flush_loop(coalescer, sleeps.append)

    assert answers == []  # settled twice: refused by the pool, then read
    assert sent == [
        ("question", {"id": 7, "votes": 11}, "session:1"),
        ("question", {"id": 7, "votes": 12}, "session:1"),
    ]
    assert flushes == len(sleeps) == 3


@pytest.fixture
def one_connection(tmp_path: Path) -> Iterator[Engine]:
    """An engine whose pool has one connection; a caller that finds it taken waits 50 ms."""
    engine = create_engine(
        f"sqlite:///{tmp_path / 'pool.sqlite3'}",
        poolclass=CallerPool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.05,
    )
    yield engine
    engine.dispose()


def test_someone_waiting_on_an_answer_gets_a_connection_within_the_pool_timeout_or_none(
    one_connection: Engine,
) -> None:
    with one_connection.connect(), answering(), pytest.raises(PoolTimeout):
        one_connection.connect()


def test_work_nobody_would_send_again_waits_its_turn_past_the_pool_timeout(
    one_connection: Engine,
) -> None:
    pool = one_connection.pool
    assert isinstance(pool, CallerPool)
    got: list[int] = []

    def background() -> None:
        with one_connection.connect() as connection:
            got.append(connection.exec_driver_sql("SELECT 1").scalar_one())

    held = one_connection.connect()
    waiter = threading.Thread(target=background)
    waiter.start()
    between_polls = threading.Event()
    for _ in range(600):  # until it has waited through one pool timeout (at most 30 s)
        if pool.background_waits:
            break
        between_polls.wait(0.05)
    assert pool.background_waits >= 1
    held.close()
    waiter.join(timeout=30)
    assert got == [1]


def test_a_caller_waits_for_a_group_as_long_as_the_pool_would_let_it_wait() -> None:
    """A group (`group_commit.together`) gives up on a caller after what the pool would have
    waited: the pool timeout for someone waiting on an answer, `BACKGROUND_WAIT_S` for a
    caller nobody answers (a connection opening)."""
    engine = create_engine("sqlite://", poolclass=CallerPool, pool_timeout=2)
    assert database.patience(engine) == database.BACKGROUND_WAIT_S
    with answering():
        assert database.patience(engine) == 2
    assert database.patience(create_engine("sqlite://", poolclass=NullPool)) is None


def test_a_connection_is_pinged_after_sitting_idle_and_replaced_if_dead(
    one_connection: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[Any] = []
    dead = {"answers": False}

    def ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        if not dead["answers"]:
            dead["answers"] = True
            raise sqlite3.OperationalError("server closed the connection unexpectedly")
        return True

    ping_idle_connections(one_connection)
    monkeypatch.setattr(one_connection.dialect, "do_ping", ping)
    with one_connection.connect() as connection:
        first = connection.connection.dbapi_connection
    with one_connection.connect():  # in steady use: no ping
        pass
    assert pings == []

    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.0)
    with one_connection.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
        replaced = connection.connection.dbapi_connection
    assert pings == [first]  # the idle one was pinged, did not answer, and was replaced
    assert replaced is not first


# One connection, held by the test ---------------------------------------------------------


@pytest.fixture
def app_settings(database_url: str, clock: SettableClock) -> dict[str, Any]:
    """The pool of one connection; a caller that finds it taken waits a tenth of a second."""
    return {
        **suite_settings(database_url, clock),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "poolclass": CallerPool,
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 0.1,
        },
    }


@pytest.fixture
def held_pool(app: Flask) -> Iterator[Callable[[], Connection]]:
    """`hold()` takes the pool's only connection until the test ends or `.close()`s it."""
    held: list[Connection] = []

    def hold() -> Connection:
        db.session.commit()  # the test's own session gives its connection back first
        held.append(db.engine.connect())
        return held[-1]

    yield hold
    for connection in held:
        connection.close()


def test_a_vote_finding_no_connection_is_refused_busy_and_not_counted(
    app: Flask,
    room: Room,
    clock: SettableClock,
    socket_client: Callable[..., SocketIOTestClient],
    held_pool: Callable[[], Connection],
) -> None:
    clock.set(DURING)
    attendee = socket_client(room.attendee)
    asked = emit(attendee, "ask", {"session": room.slug, "text": "Who holds the pool?"})
    assert asked["ok"], asked
    question = asked["question"]["id"]
    emit(socket_client(room.host), "moderate", {"question": question, "action": "approve"})
    voter = socket_client(room.other)

    held = held_pool()
    refused = emit(voter, "vote", {"question": question, "value": 1})
    assert refused == {
        "ok": False,
        "error": {"code": "busy", "message": "The server is busy: please try again in a moment."},
    }
    held.close()

    counted = emit(voter, "vote", {"question": question, "value": 1})
    assert counted == {"ok": True, "votes": 1}
    votes = db.session.scalars(select(Vote.user_id).where(Vote.question_id == question)).all()
    assert votes == [room.other.id]
    assert db.session.get(Question, question).votes == 1  # type: ignore[union-attr]


def test_a_request_finding_no_connection_answers_503_with_retry_after(
    app: Flask,
    factory: Any,
    signed_in: Callable[[Any], FlaskClient],
    held_pool: Callable[[], Connection],
) -> None:
    client = app.test_client()
    person = signed_in(factory.user())
    assert client.get("/api/v1/sessions").status_code == 200

    held = held_pool()
    api = client.get("/api/v1/sessions")
    assert api.status_code == 503
    assert api.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert api.get_json() == {
        "error": {"code": "busy", "message": "The server is busy: please try again in a moment."}
    }
    page = client.get("/schedule")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert "The server is busy: please try again in a moment." in page.get_data(as_text=True)
    # Loading the signed-in person would wait for the pool again: the page shows no one.
    theirs = person.get("/schedule")
    assert theirs.status_code == 503
    assert "The server is busy" in theirs.get_data(as_text=True)
    held.close()

    assert client.get("/api/v1/sessions").status_code == 200
