"""Question fan-out: N attendees in one live room, one question every 100 ms.

    .venv/bin/python -m bench.fanout [--n 500 1000 2000] [--db sqlite|postgres] [--stack gws|gevent]
                                     [--before DIR]

For each N, the floor (bench/bare_server.py on the same worker stack, broadcasting the
same payloads) and then Networkfest, each on a fresh gunicorn process: delivery latency
from the asker's `ask` to each receiver's `question` event, the delivered ratio, and the
server's peak resident memory (master and worker, with all N connected) against the floor's.
With `--before DIR` (a checkout of an earlier commit) that code's app runs too, between them.
"""

from __future__ import annotations

import sys

from bench.common import fmt, live_room_available, report, workspace
from bench.harness import ASKERS, arguments, measure, servers


def main(argv: list[str] | None = None) -> None:
    parser = arguments(__doc__)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--every-ms", type=int, default=100)
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    config = {
        "mode": "fanout",
        "questions": args.questions,
        "every_ms": args.every_ms,
        "drain_ms": 10_000,
    }
    with workspace() as work:
        for n in args.n:
            floor_p99: float | None = None
            floor_rss: float | None = None
            for label, app, root in servers(args.floor_only, args.no_floor, args.before):
                result, cpu = measure(
                    work,
                    config,
                    stack=args.stack,
                    app=app,
                    db=args.db,
                    n=n,
                    askers=ASKERS,
                    root=root,
                )
                if not result.get("ok"):
                    rows.append([str(n), label, "failed: " + str(result.get("error"))[:160]])
                    continue
                lat = result["latency"]
                floor_p99 = lat["p99"] if not app else floor_p99
                ratio = lat["p99"] / floor_p99 if app and floor_p99 and lat["p99"] else None
                rss = result["peak_rss_mb"]
                floor_rss = rss if not app else floor_rss
                rows.append(
                    [
                        str(n),
                        label,
                        f"{100 * result['ratio']:.2f}%",
                        fmt(lat["p50"]),
                        fmt(lat["p95"]),
                        fmt(lat["p99"]),
                        fmt(lat["max"]),
                        fmt(ratio, 2) if ratio else "-",
                        fmt(cpu, 1),
                        fmt(result["delivered"] / cpu if cpu else None),
                        str(len(result["refused"])),
                        fmt(rss, 0),
                        fmt(rss / floor_rss, 2) if app and floor_rss else "-",
                    ]
                )
    if not live_room_available() and not args.floor_only:
        print("The live room is still a placeholder: only the floor was measured.\n")
    report(
        f"Question fan-out ({args.stack}, {args.db}, {args.questions} questions "
        f"every {args.every_ms} ms)",
        "python -m bench.fanout " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "N",
            "server",
            "delivered",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "p99 / floor",
            "server CPU s",
            "deliveries per CPU s",
            "asks refused",
            "peak RSS MB",
            "RSS / floor",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
