"""Watch the Redis message queue and tell this process's live clients when it fails and returns.

With several processes, every broadcast goes through Redis. When Redis is unreachable a
process keeps its WebSockets open and still stores questions (so their acks are true), but
its broadcasts go nowhere and it hears nothing from the others, silently. So one background
task per process checks the queue every couple of seconds and, through a LOCAL emit that
does not need the dead queue, sends its own `/live` clients the event `queue`:

- `{"status": "down"}` on every check while the queue is unhealthy (repeated, so a client
  that connects during the outage learns it too); the page shows "Reconnecting…";
- `{"status": "up"}` once it is healthy again; the page re-joins and resynchronises from the
  snapshot, which holds everything stored meanwhile, on every process.

"Healthy" means a probe this process publishes comes back to its own listener within a
second (`RedisQueue.round_trip`): a PING, or a listener seen subscribed a moment ago, can
both be true while this process still hears nothing. A listener that subscribed again
between two checks was away: clients are told `up` so that they resynchronise all the same.
One failed check is not an outage: a hub busy with thousands of sockets can be late to
run the check, so "down" is said after two failures in a row.

Who must resynchronise depends on what failed. When Redis itself restarted (its `run_id`
changed), every process lost its link and tells its own clients. When Redis kept running,
only this process was cut off, and the clients of the others missed what it broadcast
meanwhile: then `up` goes through the queue to every process's clients.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry

from networkfest.extensions import socketio
from networkfest.message_queue import RedisQueue
from networkfest.realtime.protocol import NAMESPACE
from networkfest.scaling import redacted

log = logging.getLogger(__name__)

EVENT = "queue"
CHECK_INTERVAL_S = 2.0
# Short timeouts: a check must never hang on a dead network for the OS's minutes.
TIMEOUT_S = 1.0
MISSES_FOR_OUTAGE = 2
EXTENSION_KEY = "networkfest.queue_health"

Status = Literal["down", "up"]


class Listener(Protocol):
    """What the monitor needs of this process's side of the queue (`RedisQueue`)."""

    subscriptions: int

    def round_trip(self, timeout: float) -> bool: ...


@dataclass(frozen=True)
class Reading:
    """One check: whether the queue works for this process, how often its listener has
    subscribed so far, and which Redis answered."""

    healthy: bool
    subscriptions: int | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class Watch:
    """What the monitor remembers between checks."""

    misses: int = 0
    told_down: bool = False
    last_healthy: Reading = field(default_factory=lambda: Reading(healthy=True))


def report(watch: Watch, current: Reading) -> tuple[Watch, Status | None]:
    """What to tell the clients after a check, if anything, and what to remember (a pure rule)."""
    if not current.healthy:
        misses = watch.misses + 1
        if misses < MISSES_FOR_OUTAGE:
            return replace(watch, misses=misses), None
        return replace(watch, misses=misses, told_down=True), "down"
    before = watch.last_healthy.subscriptions
    resubscribed = (
        before is not None and current.subscriptions is not None and before != current.subscriptions
    )
    status: Status | None = "up" if watch.told_down or resubscribed else None
    return Watch(last_healthy=current), status


def cut_off_alone(last_healthy: Reading, current: Reading) -> bool:
    """Whether only this process lost the queue: the same Redis (`run_id`) before and after."""
    return last_healthy.run_id is not None and last_healthy.run_id == current.run_id


def read(client: redis.Redis, listener: Listener | None) -> Reading:
    """Ask Redis who it is (INFO server, a PING that also tells restarts apart) and, once
    this process's listener has subscribed, whether a probe makes the round trip. A listener
    still starting is not an outage: counted as one, the first checks of a new process
    would find it "down" and remember no healthy Redis to compare a later cut with."""
    try:
        try:
            run_id = str(client.info("server").get("run_id") or "") or None
        except redis.ResponseError:
            # INFO is not permitted (a restricted ACL user): PING, and no restart detection.
            client.ping()
            run_id = None
    except redis.RedisError:
        return Reading(healthy=False)
    if listener is None or listener.subscriptions == 0:
        return Reading(healthy=True, run_id=run_id)
    subscriptions = listener.subscriptions
    if not listener.round_trip(TIMEOUT_S):
        return Reading(healthy=False, run_id=run_id)
    return Reading(healthy=True, subscriptions=subscriptions, run_id=run_id)


class QueueMonitor:
    """Checks the queue and emits `queue` to this process's clients when there is news."""

    def __init__(
        self,
        client: redis.Redis,
        listener: Listener,
        emit: Callable[[Status, bool], None],
        listening: Callable[[], bool],
    ) -> None:
        self.client = client
        self.listener = listener
        self.emit = emit
        self.listening = listening
        self.watch = Watch()

    def check(self) -> Status | None:
        # Until the first request starts the listener (`listen`) there is no one to tell.
        current = read(self.client, self.listener if self.listening() else None)
        was_down = self.watch.told_down
        last_healthy = self.watch.last_healthy
        self.watch, status = report(self.watch, current)
        if status == "down" and not was_down:
            log.warning("the message queue is unreachable: live updates are held back")
        elif status == "up" and was_down:
            log.warning("the message queue is back: live clients resynchronise")
        if status is not None:
            self.emit(status, status == "up" and cut_off_alone(last_healthy, current))
        return status


def emit_status(status: Status, everyone: bool) -> None:
    """Send `queue` to every `/live` client: this process's own only, bypassing the queue
    (it may be dead), or, when `everyone`, every process's through the queue."""
    socketio.emit(EVENT, {"status": status}, namespace=NAMESPACE, ignore_queue=not everyone)


def probe_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=TIMEOUT_S,
        socket_timeout=TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
    )


def run(monitor: QueueMonitor, sleep: Callable[[float], Any], interval: float) -> None:
    while True:
        try:
            monitor.check()
        except Exception:
            log.exception("the message queue check failed; trying again")
        sleep(interval)


def listen(server: Any) -> None:
    """Start the queue's listener now. python-socketio starts it at the first Socket.IO
    connection, but a process that has served only pages must hear another's `forget` as
    well (`process_cache`): a page kept from before a change would be served until its
    lifetime ran out. Under gevent nothing can switch between the check and the mark."""
    if not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


def init_app(app: Flask) -> None:
    """Watch the queue when `MESSAGE_QUEUE` is set; call after `socketio.init_app`.

    The task starts with the first request the process serves, like the ticker: CLI
    commands build the app too, and a thread started before a fork would be lost.
    """
    url = app.config.get("MESSAGE_QUEUE")
    if not url or EXTENSION_KEY in app.extensions:
        return
    server = socketio.server
    manager = server.manager
    if not isinstance(manager, RedisQueue):
        raise RuntimeError("the message queue must be networkfest.message_queue.RedisQueue")
    monitor = QueueMonitor(
        probe_client(url),
        manager,
        emit_status,
        lambda: bool(getattr(server, "manager_initialized", True)),
    )
    app.extensions[EXTENSION_KEY] = monitor
    log.info("watching the message queue at %s", redacted(url))
    lock = threading.Lock()
    started: list[bool] = []

    @app.before_request
    def _start_queue_monitor() -> None:
        if started:
            return
        with lock:
            if not started:
                started.append(True)
                listen(server)
                socketio.start_background_task(run, monitor, socketio.sleep, CHECK_INTERVAL_S)
