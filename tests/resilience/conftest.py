"""A private redis-server per test, which the test may kill and start again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.resilience.support import REDIS_SERVER, PrivateRedis


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if not REDIS_SERVER.exists():
        skip_or_fail(f"{REDIS_SERVER} is not installed (Debian: redis-server)")
    server = PrivateRedis(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
