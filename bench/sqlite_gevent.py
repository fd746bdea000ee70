"""Why a gevent process must never yield inside an SQLite transaction: a demonstration.

    .venv/bin/python -m bench.sqlite_gevent [--busy-timeout-ms 3000]

The app begins every SQLite transaction with BEGIN IMMEDIATE (networkfest/database.py),
reads included. If the greenlet holding that lock yields (any socket I/O: a Redis
publish, an HTTP call, a gevent sleep) and another greenlet begins a transaction,
SQLite's busy handler sleeps in C, which gevent cannot switch away from: the whole
process, every WebSocket included, stands still for the busy timeout (30 s in the app),
then the waiter fails with "database is locked". Prints the longest stall of a
greenlet that should tick every 100 ms.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--busy-timeout-ms", type=int, default=3000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.sqlite3"

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA busy_timeout={args.busy_timeout_ms}")
            return conn

        connect().execute("CREATE TABLE t (x)")
        ticks: list[float] = []
        outcome: list[str] = []

        def ticker() -> None:
            for _ in range(10 + args.busy_timeout_ms // 100):
                ticks.append(time.monotonic())
                gevent.sleep(0.1)

        def holder() -> None:
            conn = connect()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (1)")
            gevent.sleep(0.5)  # stands for any I/O inside the transaction
            conn.execute("COMMIT")

        def waiter() -> None:
            gevent.sleep(0.1)
            conn = connect()
            started = time.monotonic()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("COMMIT")
                outcome.append(f"got the lock after {time.monotonic() - started:.2f} s")
            except sqlite3.OperationalError as error:
                outcome.append(f"failed after {time.monotonic() - started:.2f} s: {error}")

        gevent.joinall([gevent.spawn(ticker), gevent.spawn(holder), gevent.spawn(waiter)])
    stall = max(b - a for a, b in itertools.pairwise(ticks))
    print(f"second transaction {outcome[0]}; longest stall of the 100 ms ticker: {stall:.2f} s")


if __name__ == "__main__":
    main()
