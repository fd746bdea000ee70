"""Per-person limits on Socket.IO events, shared across processes through Redis when configured.

Flask-Limiter covers HTTP only, so events get their own fixed-window counts, with the limits
written as `limits` (the library under Flask-Limiter) parses them, in the same place as the
HTTP limits' counts: `RATELIMIT_STORAGE_URI`, the message queue's Redis when there is one
(through one pool for both, `storage`; the counts that arrive together added in one
round trip, `RedisWindows`), this process's memory otherwise (`ProcessWindows`). Counts are
kept per signed-in person (all their connections together) or, for anonymous watchers, per
connection, and per event. The Q&A rule of three questions a minute stays in the database;
this limit is the flood guard in front of every event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage

from networkfest.group_commit import GroupCommit, Withdrawn
from networkfest.message_queue import TIMEOUT_S, waiting_pool
from networkfest.scaling import REDIS_SCHEMES

log = logging.getLogger(__name__)

# Generous for people, tight for scripts; a client's clock sync sends a handful at connect.
DEFAULT_LIMITS: dict[str, str] = {
    "join": "60 per minute",
    "leave": "60 per minute",
    "clock_sync": "120 per minute",
    "ask": "30 per minute",
    "vote": "120 per minute",
    "moderate": "120 per minute",
    "agenda_next": "60 per minute",
    "feedback": "20 per minute",
    # A host opens and closes a handful of polls in a session; a person changes their mind a
    # few times while one is open. A script answering or toggling in a loop is not a person.
    "poll_open": "20 per minute",
    "poll_close": "20 per minute",
    "poll_answer": "30 per minute",
}
FALLBACK_LIMIT = "60 per minute"
EXTENSION_KEY = "networkfest.event_limiter"
MEMORY = "memory://"
SWEEP_INTERVAL_S = 1.0
_lock = threading.Lock()


class ProcessWindows(Storage):
    """This process's fixed-window counts, for the events of an app without shared storage.

    `limits`' own memory storage drops expired counts from a timer that runs every 10 ms
    while events come in and reads every count each time: in a storm of 2,000 people it took
    8.7 % of the process's CPU (docs/benchmarks.md, "Event counts without the 10 ms sweep").
    Here a count past its window reads as none at once, and the expired ones are dropped at
    most once a `sweep_s`, during a count."""

    STORAGE_SCHEME = None

    def __init__(
        self, timer: Callable[[], float] = time.time, sweep_s: float = SWEEP_INTERVAL_S
    ) -> None:
        super().__init__(None, wrap_exceptions=False)
        self._timer = timer
        self._sweep_s = sweep_s
        self._windows: dict[str, tuple[float, int]] = {}
        self._swept_at = timer()
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._timer()
        with self._lock:
            if now - self._swept_at >= self._sweep_s:
                self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
                self._swept_at = now
            ends, count = self._current(key, now)
            if count == 0:
                ends = now + expiry
            self._windows[key] = (ends, count + amount)
            return count + amount

    def get(self, key: str) -> int:
        with self._lock:
            return self._current(key, self._timer())[1]

    def get_expiry(self, key: str) -> float:
        now = self._timer()
        with self._lock:
            ends, count = self._current(key, now)
        return ends if count else now

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            counted = len(self._windows)
            self._windows.clear()
        return counted

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)

    def _current(self, key: str, now: float) -> tuple[float, int]:
        ends, count = self._windows.get(key, (0.0, 0))
        return (ends, count) if ends > now else (0.0, 0)


def storage(uri: str) -> tuple[str, dict[str, Any]]:
    """The limits' storage URI and options (Flask-Limiter's `RATELIMIT_STORAGE_URI` and
    `RATELIMIT_STORAGE_OPTIONS`), for the HTTP limits and the events' alike, from the URL
    they were configured with (the message queue's). On Redis, one pool per process whose
    callers wait for a connection rather than pass uncounted when a storm has them all
    (`message_queue.waiting_pool`). A Unix socket keeps its URL for the pool, and is named
    for `limits` the way it knows it (`redis+unix://`; redis-py and the queue say `unix://`)."""
    scheme = urlsplit(uri).scheme
    if scheme not in REDIS_SCHEMES:
        return uri, {}
    limits_uri = f"redis+{uri}" if scheme == "unix" else uri
    return limits_uri, {"connection_pool": waiting_pool(uri)}


# The key of an event's count in Redis, as `limits`' Redis storage names it: processes of
# an earlier release, mid-upgrade, count on the same keys.
REDIS_KEY_PREFIX = RedisStorage.PREFIX


@dataclass
class EventLimiter:
    """One app's event counters; `SOCKET_RATE_LIMITS` overrides the defaults per event.

    `count(key, window_s)` adds one to a fixed window's count and returns the new count: in
    this process (`ProcessWindows`), or in Redis, where the counts that arrive together are
    added in one round trip (`RedisWindows`)."""

    count: Callable[[str, int], int]
    limits: dict[str, RateLimitItem]
    fallback: RateLimitItem
    prefix: str

    @classmethod
    def for_app(cls, app: Flask) -> EventLimiter:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or MEMORY
        configured = {**DEFAULT_LIMITS, **app.config.get("SOCKET_RATE_LIMITS", {})}
        count: Callable[[str, int], int]
        if uri == MEMORY:
            count = ProcessWindows().incr
        else:
            # The pool the HTTP limits count through (`storage`, set up by `web.init_app`).
            count = RedisWindows(app.config["RATELIMIT_STORAGE_OPTIONS"]["connection_pool"]).count
        return cls(
            count=count,
            limits={event: parse(value) for event, value in configured.items()},
            fallback=parse(FALLBACK_LIMIT),
            prefix=str(app.config.get("SOCKET_RATE_LIMIT_PREFIX", "live")),
        )

    def hit(self, event: str, who: str) -> bool:
        """Count one event; False when the caller is over the limit.

        When the shared storage is unreachable the room keeps working: the event is let
        through and the outage is logged as a warning (the message queue's own warnings
        say the same).
        """
        limit = self.limits.get(event, self.fallback)
        key = limit.key_for(self.prefix, event, who)
        try:
            return self.count(key, limit.get_expiry()) <= limit.amount
        except (redis.RedisError, Withdrawn) as error:
            log.warning("event rate limit storage unavailable: %s", error.__class__.__name__)
            return True


# A group's counts in one command: each key's window starts with its first count and ends
# `window_s` later, as `limits`' own Redis storage counts (INCRBY, then EXPIRE on the first).
_COUNT_ALL = """
local counts = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('incr', key)
    if count == 1 then redis.call('expire', key, ARGV[i]) end
    counts[i] = count
end
return counts
"""


class RedisWindows:
    """Fixed-window counts in Redis, those that arrive together added in one round trip.

    One count a round trip was 132 µs of CPU each, and in a storm of 2,000 joins every event
    waited for its own (docs/benchmarks.md, "Redis connections that wait, event counts in
    groups"). A group's are one script call (`_COUNT_ALL`): a quarter of the client's CPU of
    a transaction of two commands a count, whose every reply redis-py parses ("Tokens read
    together on SQLite"). A count that finds no group within `TIMEOUT_S` gives up
    (`Withdrawn`), as one that finds no connection does."""

    def __init__(self, pool: redis.ConnectionPool) -> None:
        self.client = redis.Redis(connection_pool=pool)
        self.groups: GroupCommit[tuple[str, int], int] = GroupCommit(self._count_all)
        self._script = self.client.register_script(_COUNT_ALL)

    def count(self, key: str, window_s: int) -> int:
        return self.groups.submit((f"{REDIS_KEY_PREFIX}:{key}", window_s), TIMEOUT_S)

    def _count_all(self, windows: Sequence[tuple[str, int]]) -> list[int]:
        counts = self._script(
            keys=[key for key, _ in windows], args=[window_s for _, window_s in windows]
        )
        return [int(count) for count in counts]


def limiter() -> EventLimiter:
    """This app's limiter, built on first use (after the app's settings are final)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found: EventLimiter | None = app.extensions.get(EXTENSION_KEY)
    if found is None:
        with _lock:
            found = app.extensions.get(EXTENSION_KEY)
            if found is None:
                found = EventLimiter.for_app(app)
                app.extensions[EXTENSION_KEY] = found
    return found


def allow(event: str, who: str) -> bool:
    return limiter().hit(event, who)
