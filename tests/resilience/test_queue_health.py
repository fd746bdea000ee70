"""The message-queue monitor: its rule, its check against Redis, and its local emit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask
from flask_socketio import SocketIOTestClient

from networkfest import queue_health
from networkfest.queue_health import QueueMonitor, Reading, Status, cut_off_alone, read, report

UP = Reading(healthy=True, listener_id="7", run_id="r1")


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (UP, UP, None),
        (UP, Reading(healthy=False), "down"),
        # Repeated while it lasts: a client that connects during an outage learns it too.
        (Reading(healthy=False), Reading(healthy=False), "down"),
        (Reading(healthy=False), UP, "up"),
        # The listener was re-made between two checks: updates may have been missed.
        (UP, Reading(healthy=True, listener_id="8"), "up"),
        # Without CLIENT LIST there is no id to compare.
        (Reading(healthy=True), UP, None),
        (UP, Reading(healthy=True), None),
    ],
)
def test_report(previous: Reading, current: Reading, expected: Status | None) -> None:
    assert report(previous, current) == expected


@pytest.mark.parametrize(
    ("last_healthy", "current", "expected"),
    [
        # The same Redis throughout: only this process was cut off.
        (UP, Reading(healthy=True, listener_id="8", run_id="r1"), True),
        # Redis restarted: every process lost it.
        (UP, Reading(healthy=True, listener_id="8", run_id="r2"), False),
        (Reading(healthy=True), Reading(healthy=True, run_id="r1"), False),
    ],
)
def test_cut_off_alone(last_healthy: Reading, current: Reading, expected: bool) -> None:
    assert cut_off_alone(last_healthy, current) is expected


class FakeRedis:
    """Answers INFO and CLIENT LIST like Redis, or fails like an absent one."""

    def __init__(self) -> None:
        self.reachable = True
        self.client_allowed = True
        self.run_id = "r1"
        self.connections: list[dict[str, str]] = []

    def info(self, section: str) -> dict[str, Any]:
        assert section == "server"
        if not self.reachable:
            raise redis.ConnectionError("Connection refused")
        if not self.client_allowed:
            raise redis.ResponseError("NOPERM this user has no permissions to run 'info'")
        return {"redis_version": "7.0.15", "run_id": self.run_id}

    def ping(self) -> bool:
        if not self.reachable:
            raise redis.ConnectionError("Connection refused")
        return True

    def client_list(self, _type: str | None = None) -> list[dict[str, str]]:
        assert _type == "pubsub"
        if not self.reachable:
            raise redis.ConnectionError("Connection refused")
        if not self.client_allowed:
            raise redis.ResponseError("NOPERM this user has no permissions to run 'client'")
        return self.connections


def subscribed(name: str, connection_id: str) -> dict[str, str]:
    return {"id": connection_id, "name": name, "sub": "1", "psub": "0"}


def test_read_finds_this_process_listener_among_others() -> None:
    fake = FakeRedis()
    fake.connections = [subscribed("networkfest-live-other", "3"), subscribed("mine", "9")]
    found = Reading(healthy=True, listener_id="9", run_id="r1")
    assert read(fake, "mine") == found  # type: ignore[arg-type]


def test_read_is_unhealthy_while_the_listener_is_not_subscribed() -> None:
    fake = FakeRedis()
    fake.connections = [{"id": "9", "name": "mine", "sub": "0", "psub": "0"}]
    assert read(fake, "mine") == Reading(healthy=False, run_id="r1")  # type: ignore[arg-type]


def test_read_falls_back_to_ping_where_info_and_client_list_are_refused() -> None:
    fake = FakeRedis()
    fake.client_allowed = False
    assert read(fake, "mine") == Reading(healthy=True)  # type: ignore[arg-type]
    fake.reachable = False
    assert read(fake, "mine") == Reading(healthy=False)  # type: ignore[arg-type]


def test_read_is_unhealthy_when_redis_does_not_answer() -> None:
    fake = FakeRedis()
    fake.reachable = False
    assert read(fake, "mine") == Reading(healthy=False)  # type: ignore[arg-type]
    assert read(fake, None) == Reading(healthy=False)  # type: ignore[arg-type]


def monitor(
    fake: FakeRedis, listening: Callable[[], bool]
) -> tuple[QueueMonitor, list[tuple[str, bool]]]:
    """A monitor whose listener is called `mine` (a real one is named after its manager);
    what it sends is recorded as (status, to every process's clients)."""
    sent: list[tuple[str, bool]] = []

    def emit(status: Status, everyone: bool) -> None:
        sent.append((status, everyone))

    made = QueueMonitor(fake, object(), emit, listening)  # type: ignore[arg-type]
    made.name = "mine"
    return made, sent


def test_monitor_reports_an_outage_on_every_check_and_the_return_once() -> None:
    fake = FakeRedis()
    fake.connections = [subscribed("mine", "1")]
    checker, sent = monitor(fake, lambda: True)
    assert [checker.check(), checker.check()] == [None, None]
    fake.reachable = False
    checker.check()
    checker.check()
    fake.reachable = True
    fake.run_id = "r2"
    fake.connections = []
    # Redis answers again, but this process is not subscribed yet: still down.
    checker.check()
    fake.connections = [subscribed("mine", "2")]
    checker.check()
    checker.check()
    # Redis restarted, so every process lost it and tells its own clients.
    assert sent == [("down", False), ("down", False), ("down", False), ("up", False)]


def test_monitor_tells_every_process_clients_when_it_alone_was_cut_off() -> None:
    fake = FakeRedis()
    fake.connections = [subscribed("mine", "1")]
    checker, sent = monitor(fake, lambda: True)
    checker.check()
    fake.reachable = False
    checker.check()
    fake.reachable = True
    fake.connections = [subscribed("mine", "2")]
    checker.check()
    assert sent == [("down", False), ("up", True)]


def test_monitor_does_not_miss_a_listener_before_the_first_connection() -> None:
    fake = FakeRedis()
    listening = [False]
    checker, sent = monitor(fake, lambda: listening[0])
    checker.check()
    # The first client connected; its listener is still subscribing.
    listening[0] = True
    checker.check()
    fake.connections = [subscribed("mine", "1")]
    checker.check()
    assert sent == []


def test_monitor_resynchronises_after_an_outage_too_short_to_see() -> None:
    fake = FakeRedis()
    fake.connections = [subscribed("mine", "1")]
    checker, sent = monitor(fake, lambda: True)
    checker.check()
    fake.connections = [subscribed("mine", "2")]
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


def test_names_carry_the_manager_host_id() -> None:
    from socketio import RedisManager

    manager: Any = RedisManager("redis://127.0.0.1:1/0", write_only=True)
    assert queue_health.listener_name(manager) == "networkfest-live-" + manager.host_id
