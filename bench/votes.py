"""Vote storm: every attendee votes on the same question within 10 s.

    .venv/bin/python -m bench.votes [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]
                                    [--no-floor] [--before DIR] [--rounds 2]

Measures how long each vote took to be acknowledged (from the click until it was counted,
retries included), the time from the last vote until every client shows the final count,
and the `question` deliveries the clients received, against one broadcast per vote (N x N).
A vote the server refuses `busy` (no database connection within the pool timeout) is sent
again after 0.5, 1 and 2 s, as the live page does; "busy" counts those refusals, "failed"
the votes never counted (refused four times, refused otherwise, or not acknowledged within
30 s). The final count is the votes acknowledged `ok`. "pool ran dry" counts the server
log's lines saying its connection pool was exhausted. The floor is bench/bare_server.py,
which broadcasts once per vote: the naive design. The app coalesces vote counts
(`networkfest.fanout`). At N = 2,000 the floor's N x N = 4,000,000 deliveries outlast the
run's budget: pass `--no-floor` there (the N x N column is the per-vote design's count by
construction). `--before DIR` (a checkout of an earlier commit) measures that code's app
too, before this code's, in every round.
"""

from __future__ import annotations

import sys

from bench.common import report, storm_cells, workspace
from bench.harness import arguments, failed, measured


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__)
    parser.set_defaults(n=[2000])
    parser.add_argument("--spread-s", type=float, default=10.0)
    args = parser.parse_args(argv)
    config = {"mode": "votes", "spread_ms": int(args.spread_s * 1000), "drain_ms": 15_000}
    rows: list[list[str]] = []
    exhausted: list[str] = []
    with workspace() as work:
        for lead, _app, result, cpu in measured(work, args, config, askers=1):
            exhausted += result["pool_exhausted"]
            rows.append(
                failed(lead, result)
                or [
                    *lead,
                    *storm_cells(result, cpu, "voters", "vote_window_ms", "per_vote_broadcast"),
                ]
            )
    report(
        f"Vote storm ({args.stack}, {args.db}, votes spread over {args.spread_s:g} s)",
        "python -m bench.votes " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "round",
            "N",
            "server",
            "counted",
            "ack p50 ms",
            "ack p99 ms",
            "ack max ms",
            "busy",
            "failed",
            "show final count",
            "final shown after last vote, ms",
            "voting took ms",
            "deliveries",
            "one broadcast per vote",
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
