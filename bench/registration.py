"""Registration: N attendees register for one session at once through the JSON API.

    .venv/bin/python -m bench.registration [--n 2000] [--capacity 500] [--db sqlite postgres]
        [--before DIR] [--rounds 1]

Each attendee POSTs `/api/v1/sessions/<slug>/registration` with their personal token,
`--concurrency` requests in flight. Reports registrations per second, the server's CPU
per registration, and checks the outcome in the database: exactly `capacity` confirmed
(no overbooking), the rest waitlisted, the session's counter equal to the confirmed rows,
and every waitlisted answer's position equal to the rank a read finds after.

`--before DIR` also serves the same load from another copy of the source (for example
`git archive <commit> | tar -x -C DIR`), alternating with this one (or with `--after DIR`)
`--rounds` times on each database, so that a change is measured before and after in the
same minutes: the machine's other load falls on both alike.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import and_, create_engine, func, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import aliased

from bench.common import (
    BENCH_DATABASE,
    POSTGRES_URL,
    REDIS_URL,
    STACKS,
    Database,
    fmt,
    fresh_database,
    load_average,
    report,
    run_node,
    sessions_started,
    table,
    workspace,
)
from bench.harness import serving
from bench.seed import SESSION_SLUG, schema, seed
from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.registration.models import Registration

HEADERS = [
    "round",
    "database",
    "code",
    "load before",
    "attendees",
    "capacity",
    "registrations/s",
    "server CPU ms per registration",
    "connections opened",
    "confirmed",
    "waitlisted",
    "counter",
    "correct",
    "answers",
]


def own_database(kind: str, work: Path, name: str) -> Database:
    """`fresh_database` under a name of this benchmark's own: two benchmarks on PostgreSQL at
    the same time would otherwise drop each other's `networkfest_bench` mid-run."""
    if kind == "sqlite":
        return fresh_database(kind, work)
    url = make_url(POSTGRES_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    own = url.set(database=name).render_as_string(hide_password=False)
    return Database(kind, own, REDIS_URL)


def check(app: Any, n: int, capacity: int, answered: dict[str, Any]) -> dict[str, Any]:
    """What the database holds after the run, and whether it is what everyone was told
    (`answered`: each token's last answer)."""
    with app.app_context():
        owners = dict(db.session.execute(select(ApiToken.token_hash, ApiToken.user_id)).all())
        answers = {owners[hash_token(token)]: body for token, body in answered.items()}
        counts = dict(
            db.session.execute(
                select(Registration.status, func.count()).group_by(Registration.status)
            ).all()
        )
        counter = db.session.scalar(
            select(FestivalSession.confirmed_count).where(FestivalSession.slug == SESSION_SLUG)
        )
        ahead = aliased(Registration)
        ranks = dict(
            db.session.execute(
                select(Registration.user_id, func.count(ahead.id) + 1)
                .outerjoin(
                    ahead,
                    and_(
                        ahead.session_id == Registration.session_id,
                        ahead.status == "waitlisted",
                        or_(
                            ahead.queued_at < Registration.queued_at,
                            and_(
                                ahead.queued_at == Registration.queued_at,
                                ahead.id < Registration.id,
                            ),
                        ),
                    ),
                )
                .where(Registration.status == "waitlisted")
                .group_by(Registration.user_id)
            ).all()
        )
        statuses = dict(db.session.execute(select(Registration.user_id, Registration.status)).all())
        db.session.remove()
        db.engine.dispose()
    confirmed = counts.get("confirmed", 0)
    told_right = all(
        statuses.get(user_id) == answer.get("status")
        and (answer.get("status") != "waitlisted" or ranks.get(user_id) == answer.get("position"))
        for user_id, answer in answers.items()
    )
    correct = (
        confirmed == min(capacity, n)
        and counts.get("waitlisted", 0) == n - confirmed
        and counter == confirmed
        and len(answers) == n
        and told_right
    )
    return {
        "confirmed": confirmed,
        "waitlisted": counts.get("waitlisted", 0),
        "counter": counter,
        "correct": correct,
    }


def run_once(
    work: Path, kind: str, args: argparse.Namespace, source: Path | None
) -> dict[str, Any]:
    database = own_database(kind, work, f"{BENCH_DATABASE}_registration")
    app = schema(database)
    seeded = seed(
        app,
        attendees=args.n,
        registered=False,
        capacity=args.capacity,
        starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=1),
    )
    load = load_average().split()[0]
    sessions_before = sessions_started(database)
    with serving(work, root=source, stack=args.stack, database=database) as server:
        before = server.cpu()
        result = run_node(
            {
                "mode": "register",
                "url": server.url,
                "session": SESSION_SLUG,
                "tokens": seeded.tokens,
                "concurrency": args.concurrency,
            },
            work,
        )
        cpu = server.cpu() - before
    sessions_after = sessions_started(database)
    opened = None
    if sessions_before is not None and sessions_after is not None:
        opened = sessions_after - sessions_before - 1  # the read of `sessions_before` itself
    return {
        "load": load,
        "rps": result.get("rps"),
        "cpu_ms": 1000 * cpu / args.n,
        "opened": opened,
        "answers_summary": ", ".join(
            f"{k}: {v}" for k, v in sorted(result.get("outcomes", {}).items())
        )
        or str(result.get("error"))[:160],
        **check(app, args.n, args.capacity, result.get("answers") or {}),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--db", choices=["sqlite", "postgres"], nargs="+", default=["sqlite"])
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    parser.add_argument("--before", type=Path, help="a copy of the source to compare with")
    parser.add_argument("--after", type=Path, help="a copy of the source to serve (default: this)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    after = args.after.resolve() if args.after is not None else None
    codes: list[tuple[str, Path | None]] = [("after" if args.before else "this", after)]
    if args.before is not None:
        codes.insert(0, ("before", args.before.resolve()))
    rows: list[list[str]] = []
    rates: dict[tuple[str, str], list[float]] = {}
    with workspace() as work:
        for round_ in range(1, args.rounds + 1):
            for kind in args.db:
                for label, source in codes:
                    outcome = run_once(work, kind, args, source)
                    if outcome["rps"] is not None:
                        rates.setdefault((kind, label), []).append(outcome["rps"])
                    rows.append(
                        [
                            str(round_),
                            kind,
                            label,
                            outcome["load"],
                            str(args.n),
                            str(args.capacity),
                            fmt(outcome["rps"], 0),
                            fmt(outcome["cpu_ms"], 2),
                            fmt(outcome["opened"]),
                            str(outcome["confirmed"]),
                            str(outcome["waitlisted"]),
                            str(outcome["counter"]),
                            "yes" if outcome["correct"] else "NO",
                            outcome["answers_summary"],
                        ]
                    )
    report(
        f"Registration ({args.stack}, {args.concurrency} in flight)",
        "python -m bench.registration " + " ".join(sys.argv[1:] if argv is None else argv),
        HEADERS,
        rows,
    )
    if len(rows) > len(args.db):
        spread = [
            [kind, label, fmt(min(r), 0), fmt(median(r), 0), fmt(max(r), 0)]
            for (kind, label), r in sorted(rates.items())
        ]
        print("Spread over the rounds:\n")
        print(table(["database", "code", "min/s", "median/s", "max/s"], spread))
        print()


if __name__ == "__main__":
    main()
