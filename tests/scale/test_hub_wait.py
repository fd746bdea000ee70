"""PostgreSQL's replies under gevent are taken when the hub looks for I/O, not after every
greenlet that was ready before them (networkfest/hub_wait.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parents[2]

# In a child process, patched as a gevent worker is: an engine set up as the app's is, the
# class of its connections, a pipeline through the new wait, and how many of `BUSY` ready
# greenlets (each a fixed amount of work) had run when a `SELECT 1` sent before them was
# answered, through the engine and through a connection with psycopg's own wait; and what a
# statement on a connection whose server went away does.
CHILD = """
from gevent import monkey
monkey.patch_all()
import json, sys
import gevent, psycopg
from sqlalchemy import create_engine, text
from networkfest.database import configure_engine
from networkfest.hub_wait import HubWaitingConnection

BUSY = 200
sys.setswitchinterval(0.001)
url = sys.argv[1]
dsn = url.replace("postgresql+psycopg", "postgresql")
engine = create_engine(url)
configure_engine(engine)


def ran_before_the_reply(execute):
    done = []

    def work():
        sum(range(5_000))
        done.append(1)

    greenlets = [gevent.spawn(work) for _ in range(BUSY)]
    execute()
    ran = len(done)
    gevent.joinall(greenlets)
    return ran


with engine.connect() as conn:
    raw = conn.connection.dbapi_connection
    with raw.pipeline():
        cursors = [raw.execute("SELECT %s::int * 2", (n,)) for n in (1, 2, 3)]
    doubled = [cursor.fetchone()[0] for cursor in cursors]
    ours = ran_before_the_reply(lambda: conn.execute(text("SELECT 1")).scalar_one())
    kind = type(raw).__name__
# A connection whose server went away while it sat in the pool: its next statement fails
# (the socket reads the end of the stream), and the pool's next connection is a new one.
with engine.connect() as conn:
    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    try:
        conn.execute(text("SELECT 1"))
        lost = "answered"
    except Exception as error:
        lost = type(error).__name__
with engine.connect() as conn:
    again = conn.execute(text("SELECT 2")).scalar_one()
engine.dispose()
plain = psycopg.connect(dsn, autocommit=True)
theirs = ran_before_the_reply(lambda: plain.execute("SELECT 1").fetchone())
plain.close()
print(json.dumps({"kind": kind, "doubled": doubled, "ours": ours, "theirs": theirs,
                  "busy": BUSY, "lost": lost, "again": again}))
"""


@pytest.fixture(scope="module")
def child() -> dict[str, object]:
    """The child's findings, run once for the tests below."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, postgres_url()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_gevent_process_waits_for_postgresql_on_the_hub(child: dict[str, object]) -> None:
    assert child["kind"] == "HubWaitingConnection"
    assert child["doubled"] == [2, 4, 6]
    busy = child["busy"]
    assert isinstance(busy, int)
    # psycopg's own wait is woken behind every greenlet that was ready before the reply ...
    assert child["theirs"] == busy
    # ... the watcher's at the hub's first look for I/O, which gevent takes every 50 callbacks
    # once the switch interval is over.
    ours = child["ours"]
    assert isinstance(ours, int)
    assert ours < busy // 2


def test_a_connection_whose_server_went_away_fails_its_statement_and_is_replaced(
    child: dict[str, object],
) -> None:
    assert child["lost"] == "OperationalError"
    assert child["again"] == 2


def test_without_gevent_the_engine_keeps_psycopgs_connection() -> None:
    from sqlalchemy import create_engine

    from networkfest.database import configure_engine, gevent_patched

    assert not gevent_patched()
    engine = create_engine(postgres_url())
    configure_engine(engine)
    try:
        with engine.connect() as conn:
            assert type(conn.connection.dbapi_connection).__name__ == "Connection"
    finally:
        engine.dispose()
