"""The measuring run shared by the live-room benchmarks: floor or app, fresh each time."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.common import (
    STACKS,
    fresh_database,
    live_room_available,
    pool_exhaustion,
    run_node,
    serving,
)
from bench.seed import SESSION_SLUG, schema, seed
from networkfest.clock import to_epoch_ms

ASKERS = 100  # questions rotate over them, so no one meets the per-person rate limit


def arguments(description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--stack", choices=sorted(STACKS), default="gws")
    parser.add_argument("--floor-only", action="store_true", help="measure the floor alone")
    parser.add_argument("--no-floor", action="store_true", help="measure the app alone")
    return parser


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
) -> tuple[dict[str, Any], float]:
    """Run the load clients against a fresh floor or app server; the result and server CPU.

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
    with serving(work, stack=stack, **server_kwargs) as server:
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
    return {**result, "pool_exhausted": pool_exhaustion(server.log)}, cpu


def which(floor_only: bool, no_floor: bool = False) -> list[tuple[str, bool]]:
    runs = [] if no_floor else [("floor", False)]
    if not floor_only and live_room_available():
        runs.append(("app", True))
    return runs
