"""Vote storm: every attendee votes on the same question within 10 s.

    .venv/bin/python -m bench.votes [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]

Measures the time from the last vote until every client shows the final count, and the
`question` deliveries the clients received, against one broadcast per vote (N x N). The
floor is bench/bare_server.py, which broadcasts once per vote: the naive design. The app
coalesces vote counts (`networkfest.fanout`). At N = 2,000 the floor's N x N = 4,000,000
deliveries outlast the run's budget: pass `--no-floor` there (the N x N column is the
per-vote design's count by construction).
"""

from __future__ import annotations

import sys

from bench.common import fmt, report, workspace
from bench.harness import arguments, measure, which


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__)
    parser.set_defaults(n=[2000])
    parser.add_argument("--spread-s", type=float, default=10.0)
    args = parser.parse_args(argv)
    config = {"mode": "votes", "spread_ms": int(args.spread_s * 1000), "drain_ms": 15_000}
    rows: list[list[str]] = []
    with workspace() as work:
        for n in args.n:
            for label, app in which(args.floor_only, args.no_floor):
                result, cpu = measure(
                    work, config, stack=args.stack, app=app, db=args.db, n=n, askers=1
                )
                if not result.get("ok"):
                    rows.append([str(n), label, "failed: " + str(result.get("error"))[:160]])
                    continue
                rows.append(
                    [
                        str(n),
                        label,
                        f"{result['shown_final']}/{result['voters']}",
                        fmt(result["settle_ms"]),
                        fmt(result["vote_window_ms"]),
                        fmt(result["deliveries"]),
                        fmt(result["per_vote_broadcast"]),
                        fmt(result["per_vote_broadcast"] / max(result["deliveries"], 1), 1),
                        fmt(cpu, 1),
                        str(len(result["refused"])),
                    ]
                )
    report(
        f"Vote storm ({args.stack}, {args.db}, votes spread over {args.spread_s:g} s)",
        "python -m bench.votes " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "N",
            "server",
            "show final count",
            "final shown after last vote, ms",
            "voting took ms",
            "deliveries",
            "one broadcast per vote",
            "fewer by",
            "server CPU s",
            "votes refused",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
