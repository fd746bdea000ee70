"""Per-person limits on Socket.IO events, shared across processes through Redis when configured.

Flask-Limiter covers HTTP only, so events get their own fixed-window counters from `limits`
(the library under Flask-Limiter) in the same storage as the HTTP limits:
`RATELIMIT_STORAGE_URI`, the message queue's Redis when there is one, per-process memory
otherwise. Counts are kept per signed-in person (all their connections together) or, for
anonymous watchers, per connection, and per event. The Q&A rule of three questions a
minute stays in the database; this limit is the flood guard in front of every event.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import cast

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

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
_lock = threading.Lock()


@dataclass
class EventLimiter:
    """One app's event counters; `SOCKET_RATE_LIMITS` overrides the defaults per event."""

    storage: Storage
    limits: dict[str, RateLimitItem]
    fallback: RateLimitItem
    prefix: str

    @classmethod
    def for_app(cls, app: Flask) -> EventLimiter:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        configured = {**DEFAULT_LIMITS, **app.config.get("SOCKET_RATE_LIMITS", {})}
        return cls(
            storage=cast(Storage, storage_from_string(uri, wrap_exceptions=True)),
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
        try:
            return FixedWindowRateLimiter(self.storage).hit(limit, self.prefix, event, who)
        except StorageError as error:
            log.warning(
                "event rate limit storage unavailable: %s",
                error.storage_error.__class__.__name__,
            )
            return True


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
