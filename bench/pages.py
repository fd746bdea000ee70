"""Pages and feeds: requests per second, against a bare Flask "hello" on the same stack.

    .venv/bin/python -m bench.pages [--seconds 5] [--concurrency 16] [--db sqlite|postgres]
                                    [--before DIR] [--rounds 2]

Targets: `/` (the front page), `/schedule`, `/schedule.ics` (200, and 304 with
`If-None-Match`), `/api/v1/sessions` and one session's page, as a visitor, on a festival of
40 sessions, then the front page, `/schedule` and a session's page signed in (one person,
signed in through the login form, registered for eight of the sessions); the floor is
bench/bare_server.py's `GET /hello`. Keep-alive HTTP/1.1 clients (Node), `--concurrency`
requests in flight.

With `--before DIR` (a checkout of an earlier commit: `git worktree add DIR COMMIT`) each
round measures the floor, that code and this code one after the other, each on a fresh
database: a change measured before and after in the same run. `--rounds` repeats the whole.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import STACKS, fmt, fresh_database, report, run_node, workspace
from bench.harness import serving
from bench.seed import READER_EMAIL, READER_PASSWORD, schema, seed

TARGETS = [
    {"name": "/", "path": "/"},
    {"name": "/schedule", "path": "/schedule"},
    {"name": "/schedule.ics 200", "path": "/schedule.ics"},
    {"name": "/schedule.ics 304", "path": "/schedule.ics", "etag_of": "/schedule.ics"},
    {"name": "/api/v1/sessions", "path": "/api/v1/sessions"},
    {"name": "/sessions/<slug>", "path": "/sessions/session-7"},
    {"name": "/ signed in", "path": "/", "signed_in": True},
    {"name": "/schedule signed in", "path": "/schedule", "signed_in": True},
    {"name": "/sessions/<slug> signed in", "path": "/sessions/session-5", "signed_in": True},
]


def signed_in_cookie(url: str) -> str:
    """The reader's session cookie, from the login form as a browser would post it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "/login", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="csrf_token" value="([^"]+)"', form
    )
    assert token is not None, "no CSRF token on the login form"
    data = urllib.parse.urlencode(
        {"csrf_token": token[1], "email": READER_EMAIL, "password": READER_PASSWORD}
    ).encode()
    with opener.open(url + "/login", data=data, timeout=10) as response:
        assert "Sign out" in response.read().decode(), "the reader did not sign in"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.headers["ETag"])


def targets_for(url: str) -> list[dict[str, Any]]:
    """The targets, a 304's `If-None-Match` read from the server measured and the signed-in
    ones with the reader's cookie."""
    made = []
    cookie = signed_in_cookie(url)
    for target in TARGETS:
        target = dict(target)
        of = target.pop("etag_of", None)
        if of is not None:
            target["headers"] = {"If-None-Match": etag(url + of)}
        if target.pop("signed_in", False):
            target["headers"] = {"Cookie": cookie}
        made.append(target)
    return made


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    parser.add_argument("--before", type=Path, help="a checkout of the code before a change")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    config = {
        "mode": "pages",
        "duration_ms": int(args.seconds * 1000),
        "concurrency": args.concurrency,
    }
    rows: list[list[str]] = []
    with workspace() as work:
        for round_ in range(1, args.rounds + 1):
            with serving(work, stack=args.stack, app="bench.bare_server:app") as server:
                floor = run_node(
                    {
                        **config,
                        "url": server.url,
                        "targets": [{"name": "hello", "path": "/hello"}],
                    },
                    work,
                )
            hello = floor["targets"][0]["rps"] if floor.get("ok") else None
            rows.append(
                [str(round_), "floor", "bare /hello", fmt(hello, 0), "1.00" if hello else "-", ""]
            )
            apps: list[tuple[str, Path | None]] = [("this code", None)]
            if args.before is not None:
                apps.insert(0, ("before", args.before.resolve()))
            for label, root in apps:
                database = fresh_database(args.db, work)
                seed(schema(database), attendees=0, programme=40, reader=True)
                with serving(work, root=root, stack=args.stack, database=database) as server:
                    result = run_node(
                        {**config, "url": server.url, "targets": targets_for(server.url)}, work
                    )
                if not result.get("ok"):
                    rows.append([str(round_), label, "failed: " + str(result.get("error"))[:160]])
                    continue
                for target in result["targets"]:
                    rows.append(
                        [
                            str(round_),
                            label,
                            target["name"],
                            fmt(target["rps"], 0),
                            fmt(target["rps"] / hello, 2) if hello else "-",
                            ", ".join(f"{k}: {v}" for k, v in sorted(target["statuses"].items())),
                        ]
                    )
    report(
        f"Pages and feeds ({args.stack}, {args.db}, {args.concurrency} in flight, "
        f"{args.seconds:g} s each)",
        "python -m bench.pages " + " ".join(sys.argv[1:] if argv is None else argv),
        ["round", "code", "target", "requests/s", "/ hello", "statuses"],
        rows,
    )


if __name__ == "__main__":
    main()
