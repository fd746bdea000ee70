"""`RedisQueue` against a real, private redis-server: delivery, probes and coming back.

Nothing here sleeps: the tests wait on the listener's `ready` event, on a probe's own
event (inside `round_trip`), or on a condition the listener's thread notifies.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import socketio

from networkfest.message_queue import RedisQueue
from tests.resilience.support import PrivateRedis

pytestmark = pytest.mark.redis

DEADLINE_S = 20.0
STOP = b"stop listening"


class Process:
    """One process's side of the queue, its listener run by a thread of the test's own, which
    ends when it hears `STOP` (so no listener outlives its test)."""

    def __init__(self, url: str) -> None:
        self.queue = RedisQueue(url)
        socketio.Server(client_manager=self.queue, async_mode="threading")
        self.heard: list[dict] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        listening = self.queue._listen()
        try:
            for data in listening:
                if data == STOP:
                    return
                with self.changed:
                    self.heard.append(json.loads(data))
                    self.changed.notify_all()
        finally:
            listening.close()

    def stop(self) -> None:
        self.queue.publisher.publish(self.queue.channel, STOP)
        self.thread.join(timeout=DEADLINE_S)
        assert not self.thread.is_alive()

    def round_trips(self) -> bool:
        return self.queue.round_trip(1.0)

    def hears_its_probes(self, what: str) -> None:
        """Until a probe comes back: each attempt blocks on the listener's readiness, then on
        the probe's own event, so a listener that has not yet noticed a restart is waited out."""
        deadline = time.monotonic() + DEADLINE_S
        while not (self.queue.ready.wait(DEADLINE_S) and self.round_trips()):
            assert time.monotonic() < deadline, f"timed out waiting for {what}"

    def hears(self, count: int, what: str) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.heard) >= count, DEADLINE_S), what


@pytest.fixture
def processes(private_redis: PrivateRedis) -> Iterator[tuple[Process, Process]]:
    made = (Process(private_redis.url), Process(private_redis.url))
    for process in made:
        process.hears_its_probes("a first round trip")
    yield made
    for process in made:
        process.stop()


def test_a_message_from_one_process_reaches_the_other_and_probes_do_not(
    processes: tuple[Process, Process],
) -> None:
    first, second = processes
    first.queue._publish({"method": "emit", "event": "hello", "host_id": "first"})
    second.hears(1, "the message on the other process")
    assert second.heard == [{"method": "emit", "event": "hello", "host_id": "first"}]
    # Every probe so far (both processes' first round trips) stayed out of the messages.
    first.hears(1, "its own message")
    assert first.heard == second.heard
    assert (first.queue.subscriptions, second.queue.subscriptions) == (1, 1)


def test_the_listener_comes_back_after_redis_restarts(
    private_redis: PrivateRedis, processes: tuple[Process, Process]
) -> None:
    first, second = processes
    private_redis.kill()
    assert not first.round_trips()
    # Publishing to a dead queue is logged, never raised into the handler that emits.
    first.queue._publish({"method": "emit", "event": "lost", "host_id": "first"})
    private_redis.start()
    for process in processes:
        process.hears_its_probes("a round trip after the restart")
    assert (first.queue.subscriptions, second.queue.subscriptions) == (2, 2)
    first.queue._publish({"method": "emit", "event": "after", "host_id": "first"})
    second.hears(1, "the message after the restart")
    assert [message["event"] for message in second.heard] == ["after"]
