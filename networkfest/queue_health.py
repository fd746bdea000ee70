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

"Healthy" means Redis answers PING *and* this process is subscribed to the queue's channel
again. Flask-SocketIO's listener reconnects on its own, with a back-off of up to a minute, so
a PING alone would say "up" while updates from other processes still went missing. The
listener's connection is named after the manager's `host_id`, so `CLIENT LIST` shows whether
it is subscribed; where `CLIENT` is not permitted (some managed Redis), PING alone decides.
A listener connection whose id changed between two checks means Redis dropped and came back
unseen: clients are told `up` so that they resynchronise all the same.

Who must resynchronise depends on what failed. When Redis itself restarted (its `run_id`
changed), every process lost its link and tells its own clients. When Redis kept running,
only this process was cut off, and the clients of the others missed what it broadcast
meanwhile: then `up` goes through the queue to every process's clients.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import RedisManager

from networkfest.extensions import socketio
from networkfest.live.protocol import NAMESPACE
from networkfest.scaling import redacted

log = logging.getLogger(__name__)

EVENT = "queue"
CHECK_INTERVAL_S = 2.0
# Short timeouts: a check must never hang on a dead network for the OS's minutes.
TIMEOUT_S = 1.0
LISTENER_NAME_PREFIX = "networkfest-live-"
EXTENSION_KEY = "networkfest.queue_health"

Status = Literal["down", "up"]


@dataclass(frozen=True)
class Reading:
    """One check: whether the queue works for this process, and its listener's connection id."""

    healthy: bool
    listener_id: str | None = None
    run_id: str | None = None


def report(previous: Reading, current: Reading) -> Status | None:
    """What to tell the clients after a check, if anything (a pure rule)."""
    if not current.healthy:
        return "down"
    if not previous.healthy:
        return "up"
    if (
        previous.listener_id is not None
        and current.listener_id is not None
        and previous.listener_id != current.listener_id
    ):
        return "up"
    return None


def cut_off_alone(last_healthy: Reading, current: Reading) -> bool:
    """Whether only this process lost the queue: the same Redis (`run_id`) before and after."""
    return last_healthy.run_id is not None and last_healthy.run_id == current.run_id


def listener_name(manager: RedisManager) -> str:
    return LISTENER_NAME_PREFIX + manager.host_id


def read(client: redis.Redis, name: str | None) -> Reading:
    """Ask Redis who it is (INFO server, a PING that also tells restarts apart) and, when
    `name` is given, find this process's subscribed listener."""
    try:
        try:
            run_id = str(client.info("server").get("run_id") or "") or None
        except redis.ResponseError:
            # INFO is not permitted (a restricted ACL user): PING, and no restart detection.
            client.ping()
            run_id = None
        if name is None:
            return Reading(healthy=True, run_id=run_id)
        try:
            connections = client.client_list(_type="pubsub")
        except redis.ResponseError:
            return Reading(healthy=True, run_id=run_id)
    except redis.RedisError:
        return Reading(healthy=False)
    for connection in connections:
        if connection.get("name") == name and int(connection.get("sub", 0)) > 0:
            return Reading(healthy=True, listener_id=connection.get("id"), run_id=run_id)
    return Reading(healthy=False, run_id=run_id)


class QueueMonitor:
    """Checks the queue and emits `queue` to this process's clients when there is news."""

    def __init__(
        self,
        client: redis.Redis,
        manager: object,
        emit: Callable[[Status, bool], None],
        listening: Callable[[], bool],
    ) -> None:
        self.client = client
        self.name = listener_name(manager) if isinstance(manager, RedisManager) else None
        self.emit = emit
        self.listening = listening
        self.last = Reading(healthy=True)
        self.last_healthy = Reading(healthy=True)
        self.seen_listener = False

    def check(self) -> Status | None:
        # Before the first connection the manager has no listener, and just after it the
        # listener may still be subscribing: only miss it once it has been there.
        name = self.name if self.listening() else None
        current = read(self.client, name)
        if current.listener_id is not None:
            self.seen_listener = True
        elif not self.seen_listener and name is not None:
            current = read(self.client, None)
        status = report(self.last, current)
        if status == "down" and self.last.healthy:
            log.warning("the message queue is unreachable: live updates are held back")
        elif status == "up" and not self.last.healthy:
            log.warning("the message queue is back: live clients resynchronise")
        everyone = status == "up" and cut_off_alone(self.last_healthy, current)
        self.last = current
        if current.healthy:
            self.last_healthy = current
        if status is not None:
            self.emit(status, everyone)
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


def init_app(app: Flask) -> None:
    """Watch the queue when `MESSAGE_QUEUE` is set; call after `socketio.init_app`.

    Names the manager's Redis connections (so the check can find the listener) and bounds
    their connect timeout (so an `ask` does not hang on an unreachable host). The task starts
    with the first request the process serves, like the ticker: CLI commands build the app
    too, and a thread started before a fork would be lost.
    """
    url = app.config.get("MESSAGE_QUEUE")
    if not url or EXTENSION_KEY in app.extensions:
        return
    server = socketio.server
    manager = server.manager
    if isinstance(manager, RedisManager):
        manager.redis_options.setdefault("client_name", listener_name(manager))
        manager.redis_options.setdefault("socket_connect_timeout", TIMEOUT_S * 2)
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
                socketio.start_background_task(run, monitor, socketio.sleep, CHECK_INTERVAL_S)
