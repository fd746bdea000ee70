"""A Redis reached through a Unix socket (`NETWORKFEST_MESSAGE_QUEUE=unix:///…`), which the
start-up check accepts: two real `networkfest run` processes start on it, hear each other
through it, and count the HTTP limits and the live events' in it. Before, the limits' library
refused the URL (no process started), and the queue's listener asked for a TCP option a
socket does not take (no process heard another). Skips without redis-server or PostgreSQL
(fails instead in CI)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import redis
import requests

from networkfest.realtime.ratelimit import REDIS_KEY_PREFIX
from tests.resilience.support import PrivateRedis, QueueServer
from tests.resilience.test_redis_outage import live_room, shared_database  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_two_processes_share_a_redis_through_its_unix_socket(
    socket_redis: PrivateRedis,
    shared_database: str,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    assert socket_redis.url.startswith("unix://")
    a = QueueServer(shared_database, tmp_path / "a.log", socket_redis.url)
    b = QueueServer(shared_database, tmp_path / "b.log", socket_redis.url)
    with live_room(a, b, socket_redis) as (alice, bob):
        alice.ask("Asked on A, through the socket")
        bob.wait_for(lambda: "Asked on A, through the socket" in bob.texts(), "A's question on B")
        browser = requests.Session()
        form = browser.get(b.url + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None, form
        refused = browser.post(
            b.url + "/login",
            data={"csrf_token": token[1], "email": "nobody@example.org", "password": "wrong"},
            timeout=10,
        )
        assert refused.status_code == 400
    client = redis.Redis.from_url(socket_redis.url)
    try:
        counted = sorted(key.decode() for key in client.keys(f"{REDIS_KEY_PREFIX}*"))
    finally:
        client.close()
    assert any("/live/ask/" in key for key in counted), counted
    assert any("account:nobody@example.org" in key for key in counted), counted
