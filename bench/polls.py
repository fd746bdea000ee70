"""Poll storm (issue 16): everyone in the room answers one poll within 10 s, on one process.

    .venv/bin/python -m bench.polls [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]

An organiser opens a poll written on the spot (four options, results live); then every
attendee answers it once, at a random moment within `--spread-s`. Measures how long each
answer took to be acknowledged (from the click until it was counted, retries included), the
time from the last answer until every client shows the final counts (the answers acknowledged
`ok`, per option), and the `poll` deliveries the clients received, against one broadcast per
answer (N x N). An answer refused `busy` is sent again after 0.5, 1 and 2 s, as a person would;
"busy" counts those refusals, "failed" the answers never counted. "pool ran dry" counts the
server log's lines saying its connection pool was exhausted. There is no floor run: the N x N
column is the per-answer design's count by construction (bench/votes.py has the floor of the
same shape of storm). Targets: ack p99 <= 1 s, final counts everywhere within 1 s of the last
answer, >= 10x fewer deliveries than N x N.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bench.common import (
    STACKS,
    pool_exhaustion,
    report,
    run_node,
    serving,
    storm_cells,
    workspace,
)
from bench.common import fresh_database as fresh
from bench.seed import SESSION_SLUG, schema, seed
from networkfest.accounts.models import User
from networkfest.extensions import db

OPTIONS = ["Unclear purpose", "Hard to show it was worth it", "Fizzling out", "None of these"]
# The seed's first person holds the asker token: they run the poll.
HOST_EMAIL = "attendee0@bench.example.org"


def measure(
    work: Path, config: dict[str, Any], *, stack: str, database: str, n: int
) -> tuple[dict[str, Any], float]:
    """One storm against a fresh app server; the result and the server's CPU seconds."""
    fresh_db = fresh(database, work)
    app = schema(fresh_db)
    seeded = seed(app, attendees=n, askers=1)
    with app.app_context():
        db.session.execute(update(User).where(User.email == HOST_EMAIL).values(organiser=True))
        db.session.commit()
        db.session.remove()
    with serving(work, stack=stack, database=fresh_db) as server:
        before = server.cpu()
        result = run_node(
            {
                **config,
                "url": server.url,
                "session": SESSION_SLUG,
                "tokens": seeded.tokens,
                "asker_tokens": seeded.asker_tokens,
                "run": "app",
            },
            work,
        )
        cpu = server.cpu() - before
    return {**result, "pool_exhausted": pool_exhaustion(server.log)}, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[2000])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    parser.add_argument("--spread-s", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1, help="repeat each N, for the spread")
    args = parser.parse_args(argv)
    config = {
        "mode": "polls",
        "spread_ms": int(args.spread_s * 1000),
        "drain_ms": 15_000,
        "options": OPTIONS,
    }
    rows: list[list[str]] = []
    exhausted: list[str] = []
    with workspace() as work:
        for n in args.n:
            for _ in range(args.runs):
                result, cpu = measure(work, config, stack=args.stack, database=args.db, n=n)
                exhausted += result["pool_exhausted"]
                if not result.get("ok"):
                    rows.append([str(n), "failed: " + str(result.get("error"))[:160]])
                    continue
                rows.append(
                    [
                        str(n),
                        *storm_cells(
                            result, cpu, "people", "answer_window_ms", "per_answer_broadcast"
                        ),
                    ]
                )
    report(
        f"Poll storm ({args.stack}, {args.db}, answers spread over {args.spread_s:g} s)",
        "python -m bench.polls " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "N",
            "counted",
            "ack p50 ms",
            "ack p99 ms",
            "ack max ms",
            "busy",
            "failed",
            "show final counts",
            "final shown after last answer, ms",
            "answering took ms",
            "deliveries",
            "one broadcast per answer",
            "fewer by",
            "server CPU s",
            "pool ran dry",
        ],
        rows,
    )
    for line in exhausted[:5]:
        print(f"server log: {line}")


if __name__ == "__main__":
    main()
