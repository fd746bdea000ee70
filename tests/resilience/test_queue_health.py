"""The message-queue monitor: its rule, its check against Redis, and its local emit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask
from flask_socketio import SocketIOTestClient

from networkfest import queue_health
from networkfest.queue_health import (
    QueueMonitor,
    Reading,
    Status,
    Watch,
    cut_off_alone,
    read,
    report,
)

UP = Reading(healthy=True, subscriptions=1, run_id="r1")
DOWN = Reading(healthy=False)


@pytest.mark.parametrize(
    ("watch", "current", "expected"),
    [
        (Watch(last_healthy=UP), UP, None),
        # One failed check is a busy hub as often as a dead queue: nothing said yet.
        (Watch(last_healthy=UP), DOWN, None),
        (Watch(misses=1, last_healthy=UP), DOWN, "down"),
        # Repeated while it lasts: a client that connects during an outage learns it too.
        (Watch(misses=2, told_down=True, last_healthy=UP), DOWN, "down"),
        (Watch(misses=2, told_down=True, last_healthy=UP), UP, "up"),
        # A single miss that healed by itself, same listener: nothing was lost.
        (Watch(misses=1, last_healthy=UP), UP, None),
        # The listener subscribed again between two checks: updates may have been missed.
        (Watch(last_healthy=UP), Reading(healthy=True, subscriptions=2, run_id="r1"), "up"),
        (Watch(misses=1, last_healthy=UP), Reading(healthy=True, subscriptions=2), "up"),
        # Before the first client connects there is no listener to compare.
        (Watch(), Reading(healthy=True, run_id="r1"), None),
        (Watch(last_healthy=Reading(healthy=True)), UP, None),
    ],
)
def test_report(watch: Watch, current: Reading, expected: Status | None) -> None:
    after, status = report(watch, current)
    assert status == expected
    if current.healthy:
        assert after == Watch(last_healthy=current)
    else:
        assert after.misses == watch.misses + 1
        assert after.told_down == (expected == "down")


@pytest.mark.parametrize(
    ("last_healthy", "current", "expected"),
    [
        # The same Redis throughout: only this process was cut off.
        (UP, Reading(healthy=True, subscriptions=2, run_id="r1"), True),
        # Redis restarted: every process lost it.
        (UP, Reading(healthy=True, subscriptions=2, run_id="r2"), False),
        (Reading(healthy=True), Reading(healthy=True, run_id="r1"), False),
    ],
)
def test_cut_off_alone(last_healthy: Reading, current: Reading, expected: bool) -> None:
    assert cut_off_alone(last_healthy, current) is expected


class FakeRedis:
    """Answers INFO and PING like Redis, or fails like an absent one."""

    def __init__(self) -> None:
        self.reachable = True
        self.info_allowed = True
        self.run_id = "r1"

    def info(self, section: str) -> dict[str, Any]:
        assert section == "server"
        if not self.reachable:
            raise redis.ConnectionError("Connection refused")
        if not self.info_allowed:
            raise redis.ResponseError("NOPERM this user has no permissions to run 'info'")
        return {"redis_version": "7.0.15", "run_id": self.run_id}

    def ping(self) -> bool:
        if not self.reachable:
            raise redis.ConnectionError("Connection refused")
        return True


class FakeListener:
    """This process's listener: whether its probes come back, and how often it subscribed."""

    def __init__(self) -> None:
        self.hears = True
        self.subscriptions = 1
        self.timeouts: list[float] = []

    def round_trip(self, timeout: float) -> bool:
        self.timeouts.append(timeout)
        return self.hears


def test_read_is_healthy_only_when_the_probe_comes_back() -> None:
    fake, listener = FakeRedis(), FakeListener()
    assert read(fake, listener) == UP  # type: ignore[arg-type]
    # Redis answers, but this process does not hear the queue (yet): not healthy.
    listener.hears = False
    assert read(fake, listener) == Reading(healthy=False, run_id="r1")  # type: ignore[arg-type]
    assert listener.timeouts == [queue_health.TIMEOUT_S] * 2


def test_read_without_a_listener_yet_asks_redis_only() -> None:
    fake, starting = FakeRedis(), FakeListener()
    starting.subscriptions = 0  # started, not subscribed yet
    assert read(fake, None) == Reading(healthy=True, run_id="r1")  # type: ignore[arg-type]
    assert read(fake, starting) == Reading(healthy=True, run_id="r1")  # type: ignore[arg-type]
    assert starting.timeouts == []


def test_read_falls_back_to_ping_where_info_is_refused() -> None:
    fake, listener = FakeRedis(), FakeListener()
    fake.info_allowed = False
    assert read(fake, listener) == Reading(healthy=True, subscriptions=1)  # type: ignore[arg-type]
    fake.reachable = False
    assert read(fake, listener) == DOWN  # type: ignore[arg-type]


def test_read_is_unhealthy_when_redis_does_not_answer() -> None:
    fake, listener = FakeRedis(), FakeListener()
    fake.reachable = False
    assert read(fake, listener) == DOWN  # type: ignore[arg-type]
    assert read(fake, None) == DOWN  # type: ignore[arg-type]
    assert listener.timeouts == []


def monitor(
    fake: FakeRedis, listening: Callable[[], bool] = lambda: True
) -> tuple[QueueMonitor, FakeListener, list[tuple[str, bool]]]:
    """A monitor with a fake Redis and listener; what it sends is recorded as (status, to
    every process's clients)."""
    sent: list[tuple[str, bool]] = []

    def emit(status: Status, everyone: bool) -> None:
        sent.append((status, everyone))

    listener = FakeListener()
    return QueueMonitor(fake, listener, emit, listening), listener, sent  # type: ignore[arg-type]


def test_monitor_reports_an_outage_on_every_check_and_the_return_once() -> None:
    fake = FakeRedis()
    checker, listener, sent = monitor(fake)
    assert [checker.check(), checker.check()] == [None, None]
    fake.reachable = False
    listener.hears = False
    for _ in range(3):
        checker.check()
    fake.reachable = True
    fake.run_id = "r2"
    # Redis answers again, but this process does not hear the queue yet: still down.
    checker.check()
    listener.hears = True
    listener.subscriptions = 2
    checker.check()
    checker.check()
    # Redis restarted, so every process lost it and tells its own clients.
    assert sent == [("down", False), ("down", False), ("down", False), ("up", False)]


def test_monitor_does_not_call_one_slow_check_an_outage() -> None:
    fake = FakeRedis()
    checker, listener, sent = monitor(fake)
    checker.check()
    listener.hears = False
    checker.check()
    listener.hears = True
    checker.check()
    assert sent == []


def test_monitor_tells_every_process_clients_when_it_alone_was_cut_off() -> None:
    fake = FakeRedis()
    checker, listener, sent = monitor(fake)
    checker.check()
    fake.reachable = False
    listener.hears = False
    checker.check()
    checker.check()
    fake.reachable = True
    listener.hears = True
    listener.subscriptions = 2
    checker.check()
    assert sent == [("down", False), ("up", True)]


def test_monitor_waits_for_a_listener_before_the_first_connection() -> None:
    fake = FakeRedis()
    listening = [False]
    checker, listener, sent = monitor(fake, lambda: listening[0])
    listener.hears = False
    checker.check()
    checker.check()
    assert listener.timeouts == []
    # The first client connected and the listener subscribed.
    listening[0] = True
    listener.hears = True
    checker.check()
    assert sent == []


def test_monitor_says_down_when_the_listener_is_missing_before_it_was_ever_seen() -> None:
    """The case that lost a question: Redis restarted before the first check saw the
    listener. Redis answering is not enough; only the probe's return says `up`."""
    fake = FakeRedis()
    checker, listener, sent = monitor(fake)
    fake.reachable = False
    listener.hears = False
    checker.check()
    checker.check()
    fake.reachable = True
    fake.run_id = "r2"
    checker.check()
    assert sent == [("down", False), ("down", False)]
    listener.hears = True
    listener.subscriptions = 2
    checker.check()
    assert sent[-1] == ("up", False)


def test_monitor_resynchronises_after_an_outage_too_short_to_see() -> None:
    fake = FakeRedis()
    checker, listener, sent = monitor(fake)
    checker.check()
    listener.subscriptions = 2
    checker.check()
    assert sent == [("up", True)]


def test_the_queue_event_goes_to_this_process_clients(
    socket_client: Callable[..., SocketIOTestClient],
) -> None:
    first, second = socket_client(), socket_client()
    queue_health.emit_status("down", False)
    queue_health.emit_status("up", True)
    for client in (first, second):
        received = [(event["name"], event["args"]) for event in client.get_received("/live")]
        assert ("queue", [{"status": "down"}]) in received
        assert ("queue", [{"status": "up"}]) in received


def test_without_a_message_queue_nothing_is_watched(app: Flask) -> None:
    queue_health.init_app(app)
    assert queue_health.EXTENSION_KEY not in app.extensions
