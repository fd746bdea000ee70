"""A batch of statements and its COMMIT under gevent: psycopg's pipeline or one message.

    .venv/bin/python -m bench.batches [--batches 4000] [--connections 10] [--rounds 3]

`--connections` greenlets, each on its own connection to PostgreSQL
(`NETWORKFEST_BENCH_POSTGRES_URL`), run their share of a registration's shape of batch: a
row's lock (`SELECT … FOR UPDATE`), then an UPDATE of a counter on that row with RETURNING,
and the COMMIT, through `database.committed_together` (the pipeline) and
`database.committed_in_one_message`, alternating, `--rounds` times. Every batch contends for
the same row, as a session's registrations do. The table gives the client process's CPU and
the wall time per batch, and how many times psycopg waited on its socket for each.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Generator  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, create_engine, select  # noqa: E402
from sqlalchemy import update as update_  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import POSTGRES_URL, fmt, report  # noqa: E402
from networkfest import database  # noqa: E402

_metadata = MetaData()
_counter = Table(
    "bench_batch_counter", _metadata, Column("id", Integer, primary_key=True), Column("n", Integer)
)
_LOCK = select(_counter.c.id).where(_counter.c.id == bindparam("row")).with_for_update()
_BUMP = (
    update_(_counter)
    .where(_counter.c.id == bindparam("row"))
    .values(n=_counter.c.n + 1)
    .returning(_counter.c.n)
)
BATCHES: dict[str, Callable[..., list[list[Any]]]] = {
    "pipeline (committed_together)": database.committed_together,
    "one message (committed_in_one_message)": database.committed_in_one_message,
}
_waits = 0


def _counted_waits() -> None:
    """Count what psycopg's generators yield: each is a wait on the socket."""
    wait = psycopg.Connection.wait

    def watched(gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
        global _waits
        try:
            state = next(gen)
            while True:
                _waits += 1
                state = gen.send((yield state))
        except StopIteration as done:
            return done.value

    def counted(self: psycopg.Connection[Any], gen: Any, *args: Any, **kwargs: Any) -> Any:
        return wait(self, watched(gen), *args, **kwargs)

    psycopg.Connection.wait = counted  # type: ignore[method-assign]


def measure(
    batch: Callable[..., list[list[Any]]], engine: Any, batches: int, connections: int
) -> tuple[float, float, float]:
    """(CPU µs, wall µs, waits) per batch."""
    global _waits
    sessions = [Session(engine) for _ in range(connections)]
    for session in sessions:  # connect before measuring
        session.connection()
    each = batches // connections

    def work(session: Session) -> None:
        for _ in range(each):
            batch(session, [(_LOCK, {"row": 1}), (_BUMP, {"row": 1})])
            session.commit()

    _waits = 0
    cpu, wall = time.process_time(), time.perf_counter()
    gevent.joinall([gevent.spawn(work, session) for session in sessions], raise_error=True)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    for session in sessions:
        session.close()
    done = each * connections
    return 1e6 * cpu / done, 1e6 * wall / done, _waits / done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=4000)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    engine = create_engine(POSTGRES_URL, pool_size=args.connections, max_overflow=0)
    _metadata.drop_all(engine)
    _metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(_counter.insert().values(id=1, n=0))
    _counted_waits()
    rows = []
    try:
        for round_ in range(1, args.rounds + 1):
            for name, batch in BATCHES.items():
                cpu, wall, waits = measure(batch, engine, args.batches, args.connections)
                rows.append([str(round_), name, fmt(cpu, 0), fmt(wall, 0), fmt(waits, 1)])
    finally:
        _metadata.drop_all(engine)
        engine.dispose()
    report(
        "A batch and its COMMIT under gevent",
        "python -m bench.batches " + " ".join(sys.argv[1:] if argv is None else argv),
        ["round", "batch", "client CPU µs per batch", "wall µs per batch", "waits per batch"],
        rows,
    )


if __name__ == "__main__":
    main()
