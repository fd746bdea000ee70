"""Hard stop: N attendees in a live room when its scheduled end arrives.

    .venv/bin/python -m bench.hardstop [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]
                                       [--before DIR] [--rounds 1]

The server runs with its test clock; once everyone has joined, the clock is set a few
seconds before the session's end. Measured: time from the scheduled end (on the server's
clock) until each client has the `clock` event with phase `ended`, and that every `ask`
sent after it (all at once) is refused with `not_live`. An ask refused `busy` (no database
connection within the pool timeout) is sent again after 0.5, 1 and 2 s, as a person would.
No floor: the bare server has no clock. `--before DIR` (a checkout of an earlier commit)
measures that code's app too, before this code's, in every round.
"""

from __future__ import annotations

import sys

from bench.common import fmt, live_room_available, report, workspace
from bench.harness import arguments, failed, measured


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__, floor=False)
    parser.set_defaults(n=[2000])
    parser.add_argument("--lead-ms", type=int, default=3000)
    args = parser.parse_args(argv)
    config = {"mode": "hardstop", "lead_ms": args.lead_ms, "drain_ms": 10_000}
    rows: list[list[str]] = []
    with workspace() as work:
        runs = measured(work, args, config, askers=0) if live_room_available() else iter(())
        for lead, _app, result, cpu in runs:
            row = failed(lead, result)
            if row is not None:
                rows.append(row)
                continue
            after = result["after_end"]
            rows.append(
                [
                    *lead,
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
            "round",
            "N",
            "server",
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
