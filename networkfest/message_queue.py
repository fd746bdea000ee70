"""The Redis message queue between processes, with a listener that can prove it hears.

Every broadcast goes through Redis: a process publishes on one channel and every process's
listener delivers to its own clients. python-socketio's own `RedisManager` cannot say
whether that works right now: its listener reconnects on its own with a back-off of up
to a minute, shares one `pubsub` attribute with its publisher, and exposes nothing to
check. This manager is python-socketio's pub/sub manager with its two documented backend
methods written for Networkfest:

- `_publish` sends on its own client (redis-py reconnects a stale connection once);
- `_listen` subscribes on a connection of its own, counts its subscriptions (a change
  means it was away and came back, so updates may have been missed), retries every few
  seconds at most, and answers probes: `round_trip` publishes a probe and waits until
  this process's own listener hears it.

Beside python-socketio's messages it carries two of Networkfest's own: disconnect everyone
in a room (`disconnect_room`), and forget what a per-process cache holds under a label
(`forget`, for `process_cache`: a revoked token, a newly published programme).

A round trip is the only honest "up": a PING, or a listener seen subscribed a moment
ago, can both be true while this process still hears nothing (`queue_health` relies on it).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import PubSubManager

log = logging.getLogger(__name__)

# Flask-SocketIO's default channel, so a write-only emitter built the usual way still reaches us.
CHANNEL = "flask-socketio"
PROBE_PREFIX = b"networkfest-probe:"
DISCONNECT_ROOM = "networkfest_disconnect_room"
DISCONNECT_ROOM_MARK = DISCONNECT_ROOM.encode("ascii")
FORGET = "networkfest_forget"
FORGET_MARK = FORGET.encode("ascii")
# Short: a publish must not hold an `ask` for long on a dead network.
TIMEOUT_S = 2.0
# A process's connections to Redis for one client (the publisher, the rate limits' storage).
# redis-py's own pool refuses the 101st caller at once (`MaxConnectionsError`): in a join
# storm of 2,000 that let 1,601 events past their limit uncounted and logged each one. This
# many, and a caller beyond them waits for one to come back, at most `TIMEOUT_S`.
REDIS_CONNECTIONS = 100
# The listener's waits between reconnection attempts: short, so a festival recovers
# within seconds of Redis returning rather than python-socketio's minute.
RETRY_S = (0.5, 1.0, 2.0, 4.0)


def waiting_pool(
    url: str, size: int = REDIS_CONNECTIONS, **options: Any
) -> redis.BlockingConnectionPool:
    """At most `size` connections to Redis; a caller beyond them waits for one to come back
    rather than failing. `options` are the connections' (timeouts, retry)."""
    return redis.BlockingConnectionPool.from_url(
        url, max_connections=size, timeout=TIMEOUT_S, **options
    )


def disconnect_local(manager: Any, room: str, namespace: str) -> None:
    """Disconnect this process's connections in a room (a copy: disconnecting changes it)."""
    for sid, _eio_sid in list(manager.get_participants(namespace, room)):
        manager.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class RedisQueue(PubSubManager):
    name = "networkfest-redis"

    def __init__(
        self,
        url: str,
        channel: str = CHANNEL,
        write_only: bool = False,
        redis_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(channel=channel, write_only=write_only)
        self.url = url
        # One immediate retry: enough for a connection left stale by a restarted Redis,
        # and no back-off sleeping inside a handler while Redis is down.
        self.redis_options = {
            "socket_connect_timeout": TIMEOUT_S,
            "retry": Retry(NoBackoff(), 1),
            **(redis_options or {}),
        }
        self.publisher = redis.Redis(
            connection_pool=waiting_pool(url, socket_timeout=TIMEOUT_S, **self.redis_options)
        )
        # TCP keepalive finds a Redis gone from under an idle subscription; a Unix socket
        # has no such thing (redis-py refuses the option for one).
        tcp = urlsplit(url).scheme != "unix"
        self.listener_options = {
            **self.redis_options,
            **({"socket_keepalive": True} if tcp else {}),
        }
        self.subscriptions = 0
        # Set while the listener is subscribed: a probe published meanwhile can come back.
        self.ready = threading.Event()
        self._probes: dict[str, Any] = {}
        # Told (cache name, label or None) when another process forgets cached facts; set
        # by `process_cache` when this process first caches anything.
        self.forget_heard: Callable[[str, str | None], None] | None = None

    def _publish(self, data: Any) -> None:
        """Send one message to every process; a dead queue is logged, never raised into a
        handler, whose stored write and acknowledgement stay true (`queue_health` tells
        the clients)."""
        try:
            self.publisher.publish(self.channel, self.json.dumps(data))
        except redis.RedisError as error:
            log.error("cannot publish to the message queue: %s", error)

    def _listen(self) -> Iterator[bytes]:
        failures = 0
        while True:
            client = redis.Redis.from_url(self.url, **self.listener_options)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self.subscriptions += 1
                self.ready.set()
                failures = 0
                for message in pubsub.listen():
                    data = message.get("data")
                    if message.get("type") != "message" or not isinstance(data, bytes):
                        continue
                    if data.startswith(PROBE_PREFIX):
                        self._heard(data[len(PROBE_PREFIX) :].decode("ascii", "replace"))
                        continue
                    if DISCONNECT_ROOM_MARK in data and self._disconnect_room_heard(data):
                        continue
                    if FORGET_MARK in data and self._forget_heard(data):
                        continue
                    yield data
            except Exception as error:
                # Whatever broke, the listener must come back: it is every update's way in.
                wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                log.error("cannot receive from the message queue (%s); again in %s s", error, wait)
                self.ready.clear()
                pubsub.close()
                client.close()
                self.server.sleep(wait)
            finally:
                self.ready.clear()
                pubsub.close()
                client.close()

    def disconnect_room(self, room: str, namespace: str) -> None:
        """Disconnect everyone in a room: here at once, elsewhere through the queue."""
        disconnect_local(self, room, namespace)
        self._publish(
            {
                "method": DISCONNECT_ROOM,
                "room": room,
                "namespace": namespace,
                "host_id": self.host_id,
            }
        )

    def _disconnect_room_heard(self, data: bytes) -> bool:
        """python-socketio has no message to disconnect a room; this manager adds one.
        False for anything else that merely mentions its name (a question's text, say)."""
        try:
            message = self.json.loads(data)
        except ValueError:
            return False
        if not isinstance(message, dict) or message.get("method") != DISCONNECT_ROOM:
            return False
        if message.get("host_id") != self.host_id:
            disconnect_local(self, str(message.get("room")), str(message.get("namespace")))
        return True

    def forget(self, cache: str, label: str | None) -> None:
        """Tell every other process to drop what its cache `cache` holds under `label`."""
        self._publish({"method": FORGET, "cache": cache, "label": label, "host_id": self.host_id})

    def _forget_heard(self, data: bytes) -> bool:
        """Another process's `forget`; False for anything else that merely mentions its name.
        A failing cache is logged: the listener must go on delivering."""
        try:
            message = self.json.loads(data)
        except ValueError:
            return False
        if not isinstance(message, dict) or message.get("method") != FORGET:
            return False
        label = message.get("label")
        if message.get("host_id") != self.host_id and self.forget_heard is not None:
            try:
                self.forget_heard(str(message.get("cache")), None if label is None else str(label))
            except Exception:
                log.exception("could not forget what another process changed")
        return True

    def _heard(self, token: str) -> None:
        event = self._probes.get(token)
        if event is not None:
            event.set()

    def round_trip(self, timeout: float) -> bool:
        """Whether a probe published now comes back to this process's listener in time."""
        if self.write_only or self.server is None or not self.ready.is_set():
            return False
        token = uuid.uuid4().hex
        event = self.server.eio.create_event()
        self._probes[token] = event
        try:
            self.publisher.publish(self.channel, PROBE_PREFIX + token.encode("ascii"))
            return bool(event.wait(timeout))
        except redis.RedisError:
            return False
        finally:
            self._probes.pop(token, None)
