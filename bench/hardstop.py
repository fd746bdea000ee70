"""Hard stop: N attendees in a live room when its scheduled end arrives.

    .venv/bin/python -m bench.hardstop [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]

The server runs with its test clock; once everyone has joined, the clock is set a few
seconds before the session's end. Measured: time from the scheduled end (on the server's
clock) until each client has the `clock` event with phase `ended`, and that every `ask`
sent after it (all at once) is refused with `not_live`. An ask refused `busy` (no database
connection within the pool timeout) is sent again after 0.5, 1 and 2 s, as a person would.
No floor: the bare server has no clock.
"""

from __future__ import annotations

import sys

from bench.common import fmt, live_room_available, report, workspace
from bench.harness import arguments, measure


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__)
    parser.set_defaults(n=[2000])
    parser.add_argument("--lead-ms", type=int, default=3000)
    args = parser.parse_args(argv)
    config = {"mode": "hardstop", "lead_ms": args.lead_ms, "drain_ms": 10_000}
    rows: list[list[str]] = []
    with workspace() as work:
        for n in args.n if live_room_available() and not args.floor_only else []:
            result, cpu = measure(
                work, config, stack=args.stack, app=True, db=args.db, n=n, askers=0
            )
            if not result.get("ok"):
                rows.append([str(n), "failed: " + str(result.get("error"))[:160]])
                continue
            after = result["after_end"]
            rows.append(
                [
                    str(n),
                    f"{result['got_ended']}/{result['clients']}",
                    fmt(after["p50"]),
                    fmt(after["p99"]),
                    fmt(after["max"]),
                    f"{result['asks_refused']}/{result['clients']}",
                    str(result["asks_accepted"]),
                    str(result["asks_busy"]),
                    fmt(cpu, 1),
                ]
            )
    report(
        f"Hard stop ({args.stack}, {args.db})",
        "python -m bench.hardstop " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "N",
            "got `ended`",
            "p50 ms after end",
            "p99 ms",
            "max ms",
            "asks refused not_live",
            "asks accepted",
            "asks refused busy, sent again",
            "server CPU s",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
