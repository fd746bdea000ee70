"""Question fan-out: N attendees in one live room, one question every 100 ms.

    .venv/bin/python -m bench.fanout [--n 500 1000 2000] [--db sqlite|postgres] [--stack gws|gevent]
                                     [--before DIR] [--rounds 1]

For each N, the floor (bench/bare_server.py on the same worker stack, broadcasting the
same payloads) and then Networkfest, each on a fresh gunicorn process: delivery latency
from the asker's `ask` to each receiver's `question` event, the delivered ratio, and the
server's peak resident memory (master and worker, with all N connected) against the floor's.
With `--before DIR` (a checkout of an earlier commit) that code's app runs too, between them.

A run's p99 over all deliveries is set by its slowest question or two: a stall of the
machine or the load client while one question is delivered moves it by as much as the app's
own cost does. So each question's p99 is taken too, and the table shows the median of those
(what a typical question costs, against the floor's) beside the slowest. Over several rounds
a second table gives each server's spread, and in how many rounds its p99 was within the
target's 1.3x the floor's of the same round.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from statistics import median

from bench.common import delivery_cells, fmt, live_room_available, report, table, workspace
from bench.harness import ASKERS, arguments, failed, measured

# The target for a run's p99 against the floor's in the same round.
TARGET_RATIO = 1.3
Round = tuple[float, float | None, float | None]
"""A server's round: its p99, that as a multiple of the floor's, and its median question's
p99 as a multiple of the floor's (None without a floor)."""


def ratio(figures: dict[str, float], floor: dict[str, float], name: str) -> float | None:
    """A figure as a multiple of the floor's; None for the floor's own, or with no floor."""
    value, floor_value = figures.get(name), floor.get(name)
    return value / floor_value if value and floor_value else None


def against(figures: dict[str, float], floor: dict[str, float], name: str) -> str:
    """`ratio` as the table shows it ("-" for none)."""
    return fmt(ratio(figures, floor, name), 2)


def spread_row(n: str, server: str, rounds: list[Round]) -> list[str]:
    """One server's rounds at one N, as a row of the spread's table."""
    p99s = [p99 for p99, _, _ in rounds]
    ratios = [r for _, r, _ in rounds if r is not None]
    questions = [q for _, _, q in rounds if q is not None]
    cells = [n, server, str(len(rounds)), *(fmt(f(p99s)) for f in (min, median, max))]
    if not ratios:
        return cells
    return [
        *cells,
        *(fmt(f(ratios), 2) for f in (min, median, max)),
        f"{sum(r <= TARGET_RATIO for r in ratios)} of {len(ratios)}",
        fmt(median(questions), 2) if questions else "-",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--every-ms", type=int, default=100)
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    rounds: dict[tuple[str, str], list[Round]] = defaultdict(list)  # by (N, server)
    config = {
        "mode": "fanout",
        "questions": args.questions,
        "every_ms": args.every_ms,
        "drain_ms": 10_000,
    }
    with workspace() as work:
        floor: dict[str, float] = {}  # the floor's figures this round, the app's compared with
        for lead, app, result, cpu in measured(work, args, config, askers=ASKERS):
            row = failed(lead, result)
            if row is not None:
                rows.append(row)
                if not app:
                    floor = {}  # not the last round's: this round's app has no floor
                continue
            lat, questions, rss = result["latency"], result["question_p99"], result["peak_rss_mb"]
            figures = {"p99": lat["p99"], "question p99": questions["p50"], "rss": rss}
            if not app:
                floor = figures
            compared = floor if app else {}
            rounds[(lead[1], lead[2])].append(
                (
                    lat["p99"],
                    ratio(figures, compared, "p99"),
                    ratio(figures, compared, "question p99"),
                )
            )
            rows.append(
                [
                    *lead,
                    *delivery_cells(result),
                    against(figures, compared, "p99"),
                    fmt(questions["p50"]),
                    against(figures, compared, "question p99"),
                    fmt(questions["max"]),
                    fmt(cpu, 1),
                    fmt(result["delivered"] / cpu if cpu else None),
                    str(len(result["refused"])),
                    fmt(rss, 0),
                    against(figures, compared, "rss"),
                ]
            )
    if not live_room_available() and not args.floor_only:
        print("The live room is still a placeholder: only the floor was measured.\n")
    report(
        f"Question fan-out ({args.stack}, {args.db}, {args.questions} questions "
        f"every {args.every_ms} ms)",
        "python -m bench.fanout " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "round",
            "N",
            "server",
            "delivered",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "p99 / floor",
            "median question's p99 ms",
            "/ floor's",
            "slowest question's p99 ms",
            "server CPU s",
            "deliveries per CPU s",
            "asks refused",
            "peak RSS MB",
            "RSS / floor",
        ],
        rows,
    )
    if any(len(measured_rounds) > 1 for measured_rounds in rounds.values()):
        print("Spread over the rounds:\n")
        headers = ["N", "server", "rounds", "p99 min ms", "median ms", "max ms"]
        headers += ["p99 / floor min", "median", "max", f"within {TARGET_RATIO}x"]
        headers += ["median question's p99 / floor's, median"]
        print(table(headers, [spread_row(n, s, r) for (n, s), r in rounds.items()]))
        print()


if __name__ == "__main__":
    main()
