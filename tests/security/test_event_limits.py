"""Socket.IO events are rate limited per person and event: in memory, and shared through Redis."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from flask import Flask

from networkfest import create_app
from networkfest.extensions import db, limiter
from networkfest.message_queue import RedisQueue, waiting_pool
from networkfest.realtime import ratelimit
from tests.conftest import redis_url
from tests.conftest import test_settings as base_settings
from tests.security.conftest import World


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    return {
        **base_settings(database_url, clock),
        "RATELIMIT_ENABLED": False,
        "SOCKET_RATE_LIMITS": {"clock_sync": "3 per minute"},
    }


def sync(sio: Any) -> dict[str, Any]:
    ack: dict[str, Any] = sio.emit("clock_sync", {"t0": 1}, namespace="/live", callback=True)
    return ack


def test_an_event_flood_is_refused_per_person(
    world: World, socket_client: Callable[..., Any]
) -> None:
    from networkfest.accounts.models import User

    attendee = db.session.get(User, world.attendee_id)
    first, second = socket_client(attendee), socket_client(attendee)
    assert [sync(first)["ok"], sync(second)["ok"], sync(first)["ok"]] == [True, True, True]
    refused = sync(second)
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    assert refused["error"]["message"]
    host = socket_client(db.session.get(User, world.host_id))
    assert sync(host)["ok"] is True, "someone else's count is their own"
    join = first.emit("join", {"session": world.slug}, namespace="/live", callback=True)
    assert join["ok"] is True, "each event has its own count"


def test_anonymous_connections_are_counted_each_on_their_own(
    world: World, socket_client: Callable[..., Any]
) -> None:
    watcher = socket_client()
    assert [sync(watcher)["ok"] for _ in range(4)] == [True, True, True, False]
    assert sync(socket_client())["ok"] is True


def test_the_count_is_shared_across_processes_through_redis(database_url: str, clock: Any) -> None:
    """Two apps (as two processes would) on one Redis share one count per person."""
    url = redis_url()
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        **base_settings(database_url, clock),
        "RATELIMIT_STORAGE_URI": url,
        "SOCKET_RATE_LIMIT_PREFIX": prefix,
        "SOCKET_RATE_LIMITS": {"vote": "3 per minute"},
    }
    apps: list[Flask] = [create_app(settings), create_app(settings)]
    hits = []
    for turn in range(4):
        with apps[turn % 2].app_context():
            hits.append(ratelimit.allow("vote", "user:7"))
    assert hits == [True, True, True, False]
    with apps[0].app_context():
        assert ratelimit.allow("vote", "user:8") is True
        assert ratelimit.allow("ask", "user:7") is True


def test_an_unreachable_redis_lets_events_through(database_url: str, clock: Any, caplog) -> None:
    """The live room must not fall over with the limiter's storage; the outage is logged."""
    settings = {
        **base_settings(database_url, clock),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
    }
    app = create_app(settings)
    with app.app_context():
        assert ratelimit.allow("vote", "user:1") is True
    assert "event rate limit storage unavailable" in caplog.text


def connection_asked_for(
    pool: redis.ConnectionPool, monkeypatch: pytest.MonkeyPatch
) -> threading.Event:
    """Set when a caller first asks `pool` for a connection."""
    asked = threading.Event()
    get_connection = pool.get_connection

    def asking(*args: Any, **kwargs: Any) -> Any:
        asked.set()
        return get_connection(*args, **kwargs)

    monkeypatch.setattr(pool, "get_connection", asking)
    return asked


def test_an_event_waits_for_a_redis_connection_rather_than_pass_uncounted(
    database_url: str, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a storm every connection of the pool can be busy: the next event waits for one and
    is counted. redis-py's own pool refused it at once, and the limiter let it through
    uncounted (1,601 of a 2,000-join storm's events, docs/benchmarks.md)."""
    url = redis_url()
    app = create_app(
        {
            **base_settings(database_url, clock),
            "RATELIMIT_STORAGE_URI": url,
            "SOCKET_RATE_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}",
            "SOCKET_RATE_LIMITS": {"vote": "1 per minute"},
        }
    )
    pool = waiting_pool(url, size=1)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"connection_pool": pool}
    held = pool.get_connection()
    asked = connection_asked_for(pool, monkeypatch)
    answers: list[bool] = []

    def vote() -> None:
        with app.app_context():
            answers.append(ratelimit.allow("vote", "user:7"))

    voter = threading.Thread(target=vote)
    voter.start()
    assert asked.wait(5), "the event asks the pool for a connection"
    pool.release(held)
    voter.join(5)
    with app.app_context():
        assert [*answers, ratelimit.allow("vote", "user:7")] == [True, False]


def test_the_limits_and_the_publisher_wait_for_their_redis_connections(
    database_url: str, clock: Any
) -> None:
    """HTTP and event limits share one waiting pool per process; the queue's publisher has
    its own."""
    url = redis_url()
    app = create_app({**base_settings(database_url, clock), "RATELIMIT_STORAGE_URI": url})
    pool = app.config["RATELIMIT_STORAGE_OPTIONS"]["connection_pool"]
    assert isinstance(pool, redis.BlockingConnectionPool)
    assert limiter.storage.storage.connection_pool is pool
    with app.app_context():
        counts = ratelimit.limiter().count
    assert isinstance(counts.__self__, ratelimit.RedisWindows)  # type: ignore[attr-defined]
    assert counts.__self__.client.connection_pool is pool  # type: ignore[attr-defined]
    publisher = RedisQueue(url).publisher.connection_pool
    assert isinstance(publisher, redis.BlockingConnectionPool)


def test_counts_that_arrive_together_are_added_in_one_round_trip_and_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nine votes of one person under a limit of five: the first is counted alone while the
    other eight arrive, then theirs in one script call; five are let through, and the window
    ends when it should."""
    url = redis_url()
    pool = waiting_pool(url, size=1)
    windows = ratelimit.RedisWindows(pool)
    limit = ratelimit.parse("5 per minute")
    key = limit.key_for(f"test-{uuid.uuid4().hex}", "vote", "user:7")
    sent: list[int] = []
    script = windows._script

    def counted(*, keys: list[str], args: list[int]) -> Any:
        sent.append(len(keys))
        return script(keys=keys, args=args)

    monkeypatch.setattr(windows, "_script", counted)
    held = pool.get_connection()  # the first group waits for it, and the others queue behind
    asked = connection_asked_for(pool, monkeypatch)
    with ThreadPoolExecutor(max_workers=9) as workers:
        first = workers.submit(windows.count, key, limit.get_expiry())
        assert asked.wait(5), "the first count leads its group and waits for the connection"
        others = [workers.submit(windows.count, key, limit.get_expiry()) for _ in range(8)]
        assert windows.groups.waiting_at_least(8, 5)
        pool.release(held)
        counts = [first.result(5), *(other.result(5) for other in others)]
    assert counts[0] == 1 and sorted(counts[1:]) == list(range(2, 10))
    assert sum(count <= limit.amount for count in counts) == 5
    assert sent == [1, 8], "one call for the first, one for the eight behind it"
    assert 0 < windows.client.ttl(f"{ratelimit.REDIS_KEY_PREFIX}:{key}") <= 60
