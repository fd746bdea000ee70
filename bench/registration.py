"""Registration: N attendees register for one session at once through the JSON API.

    .venv/bin/python -m bench.registration [--n 2000] [--capacity 500] [--db sqlite|postgres]

Each attendee POSTs `/api/v1/sessions/<slug>/registration` with their personal token,
`--concurrency` requests in flight. Reports registrations per second and checks the
outcome in the database: exactly `capacity` confirmed (no overbooking), the rest
waitlisted, and the session's counter equal to the confirmed rows.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bench.common import STACKS, fmt, fresh_database, report, run_node, serving, workspace
from bench.seed import SESSION_SLUG, schema, seed
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.registration.models import Registration


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--db", choices=["sqlite", "postgres"], nargs="+", default=["sqlite"])
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    with workspace() as work:
        for kind in args.db:
            database = fresh_database(kind, work)
            app = schema(database)
            seeded = seed(
                app,
                attendees=args.n,
                registered=False,
                capacity=args.capacity,
                starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=1),
            )
            with serving(work, stack=args.stack, database=database) as server:
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
            with app.app_context():
                counts = dict(
                    db.session.execute(
                        select(Registration.status, func.count()).group_by(Registration.status)
                    ).all()
                )
                counter = db.session.scalar(
                    select(FestivalSession.confirmed_count).where(
                        FestivalSession.slug == SESSION_SLUG
                    )
                )
                db.session.remove()
                db.engine.dispose()
            confirmed = counts.get("confirmed", 0)
            correct = (
                confirmed == min(args.capacity, args.n)
                and counts.get("waitlisted", 0) == args.n - confirmed
                and counter == confirmed
            )
            rows.append(
                [
                    kind,
                    str(args.n),
                    str(args.capacity),
                    fmt(result.get("rps"), 0),
                    str(confirmed),
                    str(counts.get("waitlisted", 0)),
                    str(counter),
                    "yes" if correct else "NO",
                    ", ".join(f"{k}: {v}" for k, v in sorted(result.get("outcomes", {}).items()))
                    or str(result.get("error"))[:160],
                ]
            )
    report(
        f"Registration ({args.stack}, {args.concurrency} in flight)",
        "python -m bench.registration " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "database",
            "attendees",
            "capacity",
            "registrations/s",
            "confirmed",
            "waitlisted",
            "counter",
            "correct",
            "answers",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
