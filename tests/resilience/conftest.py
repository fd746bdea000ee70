"""A private redis-server per test, which the test may kill and start again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.resilience.support import REDIS_SERVER, PrivateRedis


def running_redis(log_path: Path, socket: Path | None = None) -> Iterator[PrivateRedis]:
    if not REDIS_SERVER.exists():
        skip_or_fail(f"{REDIS_SERVER} is not installed (Debian: redis-server)")
    server = PrivateRedis(log_path, socket)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    yield from running_redis(tmp_path / "redis.log")


@pytest.fixture
def socket_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A private Redis listening on a Unix socket only (`unix://…`)."""
    yield from running_redis(tmp_path / "redis.log", tmp_path / "redis.sock")
