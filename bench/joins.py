"""Join storm: N attendees connect and `join` one live room at the same moment.

    .venv/bin/python -m bench.joins [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]
                                    [--before DIR] [--rounds 2]

Time from the first connect until every client holds its `join` acknowledgement with
the room's state; the floor is bench/bare_server.py's `join` on the same stack. A `join`
refused `busy` (no database connection within the pool timeout) is sent again after 0.5, 1,
2 and then every 4 s until it succeeds, as the live page does: "busy" counts those
refusals. "pool ran dry" counts the server log's lines saying its pool was exhausted.

With `--before DIR` (a checkout of an earlier commit: `git worktree add DIR COMMIT`) each
round measures the floor, that code and this code one after the other, on fresh databases:
a change measured before and after in the same run, its floor beside it. `--rounds` repeats
the whole, so the spread shows.
"""

from __future__ import annotations

import sys

from bench.common import fmt, report, workspace
from bench.harness import arguments, failed, measured


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__)
    parser.set_defaults(n=[2000])
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    floor_all: float | None = None
    with workspace() as work:
        for lead, app, result, cpu in measured(work, args, {"mode": "join"}, askers=0):
            row = failed(lead, result)
            if not app:  # the floor this N's servers are compared with, if it ran
                floor_all = result["all_ms"] if row is None else None
            if row is None:
                ratio = result["all_ms"] / floor_all if app and floor_all else None
                row = [
                    *lead,
                    f"{result['joined']}/{result['clients']}",
                    str(result["busy"]),
                    fmt(result["all_ms"]),
                    fmt(result["join"]["p50"]),
                    fmt(result["join"]["p99"]),
                    fmt(ratio, 2) if ratio else "-",
                    fmt(cpu, 1),
                    str(len(result["pool_exhausted"])),
                    "; ".join(result["failures"])[:120] or "-",
                ]
            rows.append(row)
    report(
        f"Join storm ({args.stack}, {args.db})",
        "python -m bench.joins " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "round",
            "N",
            "server",
            "joined",
            "busy",
            "all joined ms",
            "p50 ms",
            "p99 ms",
            "all / floor",
            "server CPU s",
            "pool ran dry",
            "failures",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
