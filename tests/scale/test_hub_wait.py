"""PostgreSQL's replies under gevent are taken when the hub looks for I/O, not after every
greenlet that was ready before them (networkfest/hub_wait.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parents[2]

# In a child process, patched as a gevent worker is: an engine set up as the app's is, the
# class of its connections, a pipeline through the new wait, and how many of `BUSY` ready
# greenlets (each a fixed amount of work) had run when a `SELECT 1` sent before them was
# answered, through the engine and through a connection with psycopg's own wait.
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
engine.dispose()
plain = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
theirs = ran_before_the_reply(lambda: plain.execute("SELECT 1").fetchone())
plain.close()
print(json.dumps({"kind": kind, "doubled": doubled, "ours": ours, "theirs": theirs,
                  "busy": BUSY}))
"""


def run_child() -> dict[str, object]:
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


def test_a_gevent_process_waits_for_postgresql_on_the_hub() -> None:
    child = run_child()
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


def test_without_gevent_the_engine_keeps_psycopgs_connection() -> None:
    from sqlalchemy import create_engine

    from networkfest.database import configure_engine
    from networkfest.hub_wait import gevent_patched

    assert not gevent_patched()
    engine = create_engine(postgres_url())
    configure_engine(engine)
    try:
        with engine.connect() as conn:
            assert type(conn.connection.dbapi_connection).__name__ == "Connection"
    finally:
        engine.dispose()
