"""Poll storm (issue 16): everyone in the room answers one poll within 10 s, on one process.

    .venv/bin/python -m bench.polls [--n 2000] [--db sqlite|postgres] [--stack gws|gevent]
                                    [--before DIR] [--rounds 1]

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
answer, >= 10x fewer deliveries than N x N. `--before DIR` (a checkout of an earlier commit)
measures that code's app too, before this code's, in every round.
"""

from __future__ import annotations

import sys

from bench.common import report, storm_cells, workspace
from bench.harness import arguments, failed, measured

OPTIONS = ["Unclear purpose", "Hard to show it was worth it", "Fizzling out", "None of these"]


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__, floor=False)
    parser.set_defaults(n=[2000])
    parser.add_argument("--spread-s", type=float, default=10.0)
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
        # The seed's first person holds the asker token: an organiser, they run the poll.
        for lead, _app, result, cpu in measured(
            work, args, config, askers=1, seed_options={"organisers": 1}
        ):
            exhausted += result["pool_exhausted"]
            rows.append(
                failed(lead, result)
                or [
                    *lead,
                    *storm_cells(result, cpu, "people", "answer_window_ms", "per_answer_broadcast"),
                ]
            )
    report(
        f"Poll storm ({args.stack}, {args.db}, answers spread over {args.spread_s:g} s)",
        "python -m bench.polls " + " ".join(sys.argv[1:] if argv is None else argv),
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
