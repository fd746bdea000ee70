"""The measuring run shared by the live-room benchmarks: floor or app, fresh each time."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import common
from bench.common import (
    BIN,
    STACKS,
    Server,
    fresh_database,
    live_room_available,
    pool_exhaustion,
    run_node,
)
from bench.seed import SESSION_SLUG, schema, seed
from networkfest.clock import to_epoch_ms

# Benchmarks run side by side on one PostgreSQL (several people's, say) must not share a
# database: each starts by dropping it, with everyone's connections. Name your own.
common.BENCH_DATABASE = os.environ.get("NETWORKFEST_BENCH_DATABASE", common.BENCH_DATABASE)

ASKERS = 100  # questions rotate over them, so no one meets the per-person rate limit


def arguments(description: str | None, *, floor: bool = True) -> argparse.ArgumentParser:
    """The benchmarks' options; without a `floor` (a storm whose naive design is counted by
    construction), the app alone is measured."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    if floor:
        parser.add_argument("--floor-only", action="store_true", help="measure the floor alone")
        parser.add_argument("--no-floor", action="store_true", help="measure the app alone")
    else:
        parser.set_defaults(floor_only=False, no_floor=True)
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of the code before a change (git worktree add DIR COMMIT): its app "
        "is measured too, between the floor and this code's, in every round",
    )
    parser.add_argument("--rounds", type=int, default=1, help="measure everything this often")
    return parser


@contextmanager
def serving(work: Path, *, root: Path | None = None, **kwargs: Any) -> Iterator[Server]:
    """A server of this code, or with `root` of another checkout (the code before a change,
    run from its own directory on the same settings), stopped at the end."""
    server = Server(work, **kwargs)
    if root is None:
        server.start()
    else:
        server.command = [str(BIN / "gunicorn"), "-c", str(root / "gunicorn.conf.py")]
        # the stack's own paths stay first, then the other checkout in place of this one
        *stack_paths, _ = server.env["PYTHONPATH"].split(os.pathsep)
        server.env["PYTHONPATH"] = os.pathsep.join([*stack_paths, str(root)])
        # gunicorn puts the directory it starts in first on sys.path (`--chdir` does not
        # replace it): the other checkout must be where the server starts.
        here, common.ROOT = common.ROOT, root
        try:
            server.start()
        finally:
            common.ROOT = here
    try:
        yield server
    finally:
        server.stop()


def measure(
    work: Path,
    config: dict[str, Any],
    *,
    stack: str,
    app: bool,
    db: str,
    n: int,
    askers: int,
    seed_options: dict[str, Any] | None = None,
    root: Path | None = None,
) -> tuple[dict[str, Any], float]:
    """Run the load clients against a fresh floor or app server (the app of the checkout at
    `root` when given); the result (with the server's peak resident memory, `peak_rss_mb`)
    and server CPU.

    The result's `pool_exhausted` holds the server log's lines saying its connection pool
    ran dry (none in a passing run)."""
    if app:
        database = fresh_database(db, work)
        seeded = seed(schema(database), attendees=n, askers=askers, **(seed_options or {}))
        tokens: list[str | None] = list(seeded.tokens)
        asker_tokens: list[str | None] = list(seeded.asker_tokens)
        server_kwargs: dict[str, Any] = {"database": database}
    else:
        seeded = None
        tokens, asker_tokens = [None] * n, [None] * askers
        server_kwargs = {"app": "bench.bare_server:app"}
    with serving(work, stack=stack, root=root if app else None, **server_kwargs) as server:
        before = server.cpu()
        result = run_node(
            {
                **config,
                "url": server.url,
                "session": SESSION_SLUG,
                "tokens": tokens,
                "asker_tokens": asker_tokens,
                "run": "app" if app else "floor",
                "ends_at_ms": to_epoch_ms(seeded.ends_at) if seeded is not None else None,
            },
            work,
        )
        cpu = server.cpu() - before
        peak_rss = server.peak_rss_mb()
    return {**result, "pool_exhausted": pool_exhaustion(server.log), "peak_rss_mb": peak_rss}, cpu


def which(floor_only: bool, no_floor: bool = False) -> list[tuple[str, bool]]:
    runs = [] if no_floor else [("floor", False)]
    if not floor_only and live_room_available():
        runs.append(("app", True))
    return runs


def servers(
    floor_only: bool, no_floor: bool = False, before: Path | None = None
) -> list[tuple[str, bool, Path | None]]:
    """What one round measures, in order: the floor, the code before (`--before`), this
    code; each as (label, is the app, the checkout to run it from)."""
    runs: list[tuple[str, bool, Path | None]] = [
        (label, app, None) for label, app in which(floor_only, no_floor)
    ]
    if before is not None and runs and runs[-1][1]:
        runs.insert(len(runs) - 1, ("before", True, before.resolve()))
    return runs


def measured(
    work: Path,
    args: argparse.Namespace,
    config: dict[str, Any],
    askers: int,
    seed_options: dict[str, Any] | None = None,
) -> Iterator[tuple[list[str], bool, dict[str, Any], float]]:
    """Every round, N and server (`servers`) measured in turn, as (the row's first cells:
    round, N and label; whether it is the app; the result; server CPU)."""
    for round_ in range(1, args.rounds + 1):
        for n in args.n:
            for label, app, root in servers(args.floor_only, args.no_floor, args.before):
                result, cpu = measure(
                    work,
                    config,
                    stack=args.stack,
                    app=app,
                    db=args.db,
                    n=n,
                    askers=askers,
                    seed_options=seed_options,
                    root=root,
                )
                yield [str(round_), str(n), label], app, result, cpu


def failed(lead: list[str], result: dict[str, Any]) -> list[str] | None:
    """A failed run's row, or None when it ran."""
    return None if result.get("ok") else [*lead, "failed: " + str(result.get("error"))[:160]]
