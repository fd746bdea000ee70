"""Pages and feeds: requests per second, against a bare Flask "hello" on the same stack.

    .venv/bin/python -m bench.pages [--seconds 5] [--concurrency 16] [--db sqlite|postgres]

Targets: `/schedule`, `/schedule.ics` (200, and 304 with `If-None-Match`),
`/api/v1/sessions` and one session's page, as a visitor, on a festival of 40 sessions; the
floor is bench/bare_server.py's `GET /hello`. Keep-alive HTTP/1.1 clients (Node),
`--concurrency` requests in flight.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request

from bench.common import STACKS, fmt, fresh_database, report, run_node, serving, workspace
from bench.seed import schema, seed


def etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.headers["ETag"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    args = parser.parse_args(argv)
    config = {
        "mode": "pages",
        "duration_ms": int(args.seconds * 1000),
        "concurrency": args.concurrency,
    }
    rows: list[list[str]] = []
    with workspace() as work:
        with serving(work, stack=args.stack, app="bench.bare_server:app") as server:
            floor = run_node(
                {**config, "url": server.url, "targets": [{"name": "hello", "path": "/hello"}]},
                work,
            )
        hello = floor["targets"][0]["rps"] if floor.get("ok") else None
        database = fresh_database(args.db, work)
        seed(schema(database), attendees=0, programme=40)
        with serving(work, stack=args.stack, database=database) as server:
            targets = [
                {"name": "/schedule", "path": "/schedule"},
                {"name": "/schedule.ics 200", "path": "/schedule.ics"},
                {
                    "name": "/schedule.ics 304",
                    "path": "/schedule.ics",
                    "headers": {"If-None-Match": etag(server.url + "/schedule.ics")},
                },
                {"name": "/api/v1/sessions", "path": "/api/v1/sessions"},
                {"name": "/sessions/<slug>", "path": "/sessions/session-7"},
            ]
            result = run_node({**config, "url": server.url, "targets": targets}, work)
    measured = ([{**floor["targets"][0], "name": "floor: bare /hello"}] if hello else []) + (
        result.get("targets", []) if result.get("ok") else []
    )
    for target in measured:
        rows.append(
            [
                target["name"],
                fmt(target["rps"], 0),
                fmt(target["rps"] / hello, 2) if hello else "-",
                ", ".join(f"{k}: {v}" for k, v in sorted(target["statuses"].items())),
            ]
        )
    if not result.get("ok"):
        rows.append(["app", "failed: " + str(result.get("error"))[:160], "-", "-"])
    report(
        f"Pages and feeds ({args.stack}, {args.db}, {args.concurrency} in flight, "
        f"{args.seconds:g} s each)",
        "python -m bench.pages " + " ".join(sys.argv[1:] if argv is None else argv),
        ["target", "requests/s", "/ hello", "statuses"],
        rows,
    )


if __name__ == "__main__":
    main()
