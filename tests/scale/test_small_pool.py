"""Many more votes at once than database connections, against a real server (issue 18).

One `gunicorn -c gunicorn.conf.py` process (gevent, as in production) on PostgreSQL with a
deliberately small pool, 2 + 2 connections, and forty voters on python-socketio clients.

- A storm: every voter votes on every question at once, 120 votes against 4 connections.
  Each acknowledgement is `ok` or `busy`, never `internal`; each question's count, in the
  database and on every client, equals the votes acknowledged `ok`.
- Saturation, made certain: the test holds a question's row lock. Votes are written in
  groups (`group_commit`): the first vote's group holds one connection while it waits for
  the lock, and every other vote waits for the next group holding none. After the pool
  timeout they are refused `busy`, unwritten; the other connections stay free for anyone
  else; once the lock goes, the first vote is counted.

Skips without PostgreSQL (fails instead in CI, where NETWORKFEST_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from networkfest import create_app
from networkfest.extensions import db
from networkfest.qa.models import Question, Vote
from tests.conftest import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_url,
    run_tag,
    skip_or_fail,
)
from tests.resilience.support import STARTS, seed
from tests.room_client import WAIT_S, RoomClient
from tests.scale.cluster import AppProcess

pytestmark = pytest.mark.postgres

SECRET = "small-pool-test-secret-0123456789abcdef"
POOL_SIZE, MAX_OVERFLOW = 2, 2
CONNECTIONS = POOL_SIZE + MAX_OVERFLOW
VOTERS = tuple(f"voter{i}" for i in range(40))
QUESTIONS = 3
ASKER = "asker"
# More votes than connections, fewer than the server's per-person limit allows.
LOCKED_VOTES = 12
DONE = ("ok", "busy")
POLL_S = 0.05


@dataclass
class Room:
    server: AppProcess
    database: Engine
    session: str
    clients: dict[str, RoomClient]


@pytest.fixture
def room(tmp_path: Path, worker_id: str) -> Iterator[Room]:
    try:
        import geventwebsocket  # noqa: F401
    except ImportError:
        skip_or_fail("gevent-websocket is not installed (the production worker needs it)")
    database_url = fresh_postgres_database(postgres_url(), f"networkfest_pool_{run_tag(worker_id)}")
    seeder = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": SECRET,
            "TESTING": True,
            "TICKER": False,
            "MESSAGE_QUEUE": None,
        }
    )
    with seeder.app_context():
        db.create_all()
    slug, tokens = seed(seeder, (ASKER, *VOTERS))
    server = AppProcess(
        tmp_path,
        {
            **os.environ,
            "NETWORKFEST_DATABASE_URL": database_url,
            "NETWORKFEST_DATABASE_POOL_SIZE": str(POOL_SIZE),
            "NETWORKFEST_DATABASE_MAX_OVERFLOW": str(MAX_OVERFLOW),
            "NETWORKFEST_DATABASE_POOL_TIMEOUT": "1",
            "NETWORKFEST_SECRET_KEY": SECRET,
            "NETWORKFEST_TEST_CLOCK": "1",
            "NETWORKFEST_TICKER": "0",
            "NETWORKFEST_MAIL_BACKEND": "memory",
            "NETWORKFEST_LOG_LEVEL": "warning",
        },
    )
    server.env["NETWORKFEST_BASE_URL"] = server.url
    engine = create_engine(database_url)
    clients: dict[str, RoomClient] = {}
    try:
        server.start()
        server.set_clock(STARTS + timedelta(minutes=2))
        for name, token in tokens.items():
            clients[name] = RoomClient(server.url, token, slug)
            clients[name].connect()
        yield Room(server, engine, slug, clients)
    finally:
        for client in clients.values():
            client.close()
        server.stop()
        engine.dispose()
        drop_postgres_database(database_url)


def vote(client: RoomClient, question: int, barrier: threading.Barrier | None = None) -> str:
    """The acknowledgement's outcome: `ok`, or the refusal's code."""
    if barrier is not None:
        barrier.wait(timeout=WAIT_S)
    ack = client.sio.call(
        "vote", {"question": question, "value": 1}, namespace="/live", timeout=WAIT_S
    )
    return "ok" if ack["ok"] else str(ack["error"]["code"])


def counts(database: Engine, question: int) -> tuple[int, int]:
    """The question's count and its vote rows."""
    with database.connect() as connection:
        count = connection.scalar(select(Question.votes).where(Question.id == question))
        rows = connection.scalar(select(func.count()).where(Vote.question_id == question))
    return int(count or 0), int(rows or 0)


def everyone_shows(room: Room, question: int, votes: int) -> None:
    for client in room.clients.values():
        client.wait_for(
            lambda c=client: c.questions.get(question, {}).get("votes") == votes,
            f"question {question} showing {votes} votes",
        )


def test_a_storm_on_four_connections_answers_every_vote_and_counts_what_it_acknowledged(
    room: Room,
) -> None:
    asker = room.clients[ASKER]
    questions = [asker.ask(f"Question {n} for the storm")["id"] for n in range(QUESTIONS)]
    voters = [room.clients[name] for name in VOTERS]
    barrier = threading.Barrier(len(voters) * QUESTIONS)

    with ThreadPoolExecutor(max_workers=len(voters) * QUESTIONS) as pool:
        futures = {
            pool.submit(vote, client, question, barrier): question
            for client in voters
            for question in questions
        }
        outcomes = [(futures[future], future.result()) for future in futures]

    assert {outcome for _, outcome in outcomes} <= set(DONE), outcomes
    for question in questions:
        counted = sum(1 for q, outcome in outcomes if q == question and outcome == "ok")
        assert counts(room.database, question) == (counted, counted)
        everyone_shows(room, question, counted)
    log = room.server.log.read_text(errors="replace")
    assert "QueuePool limit" not in log
    assert "Traceback" not in log


def test_votes_the_pool_cannot_serve_are_refused_busy_and_never_half_written(
    room: Room,
) -> None:
    question = room.clients[ASKER].ask("Who holds the lock?")["id"]
    voters = [room.clients[name] for name in VOTERS[:LOCKED_VOTES]]

    with room.database.connect() as locker, ThreadPoolExecutor(max_workers=LOCKED_VOTES) as pool:
        locker.execute(select(Question.id).where(Question.id == question).with_for_update())
        first = pool.submit(vote, voters[0], question)
        # The first vote's group waits on the lock, on one connection ...
        until_waiting_on_locks(room.database, 1)
        pending: set[Future[str]] = {pool.submit(vote, client, question) for client in voters[1:]}
        # ... and every other vote, waiting for the next group, is refused after the timeout.
        refused: list[str] = []
        while len(refused) < LOCKED_VOTES - 1:
            done, pending = wait(pending, timeout=WAIT_S, return_when=FIRST_COMPLETED)
            assert done, "votes waiting for a group were not refused"
            refused += [future.result() for future in done]
        assert refused == ["busy"] * (LOCKED_VOTES - 1)
        assert counts(room.database, question) == (0, 0)
        # Refused for want of a group, not of a connection: the pool still serves others.
        assert voters[1].ask("Is the pool free?")["status"] in ("pending", "visible")
        locker.rollback()  # the lock goes: the first vote is counted
        counted = first.result(timeout=WAIT_S)

    assert counted == "ok"
    assert counts(room.database, question) == (1, 1)
    everyone_shows(room, question, 1)
    # Said in the log once per interval with the number refused, never as a traceback.
    log = room.server.log.read_text(errors="replace")
    assert "database saturated" in log
    assert "QueuePool limit" not in log
    assert "Traceback" not in log


def until_waiting_on_locks(database: Engine, backends: int) -> None:
    """Polls until `backends` of the server's connections wait on a lock (at most WAIT_S)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    between_polls = threading.Event()
    for _ in range(int(WAIT_S / POLL_S)):
        with database.connect() as connection:
            if connection.scalar(query) == backends:
                return
        between_polls.wait(POLL_S)
    raise AssertionError(f"{backends} connections never waited on the question's lock")
