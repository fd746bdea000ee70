"""What psycopg's wait for the server costs a gevent process, per round trip.

    .venv/bin/python -m bench.psycopg_wait [--queries 5000] [--connections 10] [--rounds 2]

Under gevent's monkey-patching psycopg 3 waits for its socket with `select.poll`, which
gevent emulates with a poll object, a watcher per call and an event to wake the greenlet.
The app's connections (`networkfest.hub_wait.HubWaitingConnection`) wait on one gevent
watcher instead. `--connections` greenlets each run their share of `SELECT $1::int` on
their own connection to PostgreSQL (`NETWORKFEST_BENCH_POSTGRES_URL`); the table gives the
client process's CPU and the wall time per query for each kind of connection, alternating,
`--rounds` times.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import POSTGRES_URL, fmt, report  # noqa: E402
from networkfest.hub_wait import HubWaitingConnection  # noqa: E402

CONNECTIONS: dict[str, type[psycopg.Connection[Any]]] = {
    "psycopg's own (gevent's select.poll)": psycopg.Connection,
    "the app's (a gevent io watcher)": HubWaitingConnection,
}


def measure(
    kind: type[psycopg.Connection[Any]], dsn: str, queries: int, connections: int
) -> tuple[float, float]:
    """(CPU µs, wall µs) per query."""
    conns = [kind.connect(dsn, autocommit=True) for _ in range(connections)]

    def work(conn: psycopg.Connection[Any]) -> None:
        for i in range(queries // connections):
            conn.execute("SELECT %s::int", (i,)).fetchall()

    cpu, wall = time.process_time(), time.perf_counter()
    gevent.joinall([gevent.spawn(work, conn) for conn in conns])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for conn in conns:
        conn.close()
    done = queries // connections * connections
    return 1e6 * cpu / done, 1e6 * wall / done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    dsn = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    rows = []
    for round_ in range(1, args.rounds + 1):
        for name, kind in CONNECTIONS.items():
            cpu, wall = measure(kind, dsn, args.queries, args.connections)
            rows.append([str(round_), name, fmt(cpu, 1), fmt(wall, 1)])
    report(
        "psycopg's wait under gevent",
        "python -m bench.psycopg_wait " + " ".join(sys.argv[1:] if argv is None else argv),
        ["round", "connection", "CPU µs per query", "wall µs per query"],
        rows,
    )


if __name__ == "__main__":
    main()
