"""Socket.IO events are rate limited per person and event: in memory, and shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from networkfest import create_app
from networkfest.extensions import db
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
