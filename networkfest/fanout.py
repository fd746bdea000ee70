"""Coalesced fan-out of high-frequency live updates (vote counts, presence counts).

A keynote of 2,000 attendees voting at once would cost 2,000 x 2,000 deliveries if
every vote broadcast its `question` event. Instead, a vote handler *offers* the new
state of the question to the coalescer, which keeps only the latest payload per
(room, event, key) and sends them at most once per `interval` (200 ms by default):
2,000 votes in ten seconds become at most 50 broadcasts of that question.

Event shape: the live protocol's, unchanged (docs/architecture.md). A flush emits, for
every changed key, ONE ordinary
event (e.g. `question` with `{id, session, text, author, votes, status, pinned,
created_at}`) to the room it was offered for, carrying the latest payload. Clients need
no change: they already replace a question by id when a `question` event arrives.

Rules the wiring must keep:
- offer with `key` = the question id (or any stable key), and `room` = where the plain
  emit would have gone (`session_room(...)`, `hosts_room(...)`);
- an update that must not wait or be overtaken (a moderation, a new question) goes
  through `send_now`, which emits at once and drops any older pending payload for
  that key, so a late flush never overwrites a newer status;
- each process coalesces its own offers; with several processes behind the Redis
  queue a question is broadcast at most once per interval *per process*;
- offers and immediate sends may carry a `version` (a question's `revision`, raised by
  every committed change under the row's lock). Handlers finish in any order, so a
  payload older than one already pending or sent for its key is dropped, never sent;
- an event may have a *refresher* (`Coalescer.refreshers`), which reads the current state
  of some keys. When a storm is over (an interval with nothing to flush), the loop
  *settles*: it reads the keys it flushed and sends any state newer than what it sent.
  With several processes each flushing its own offers, the last broadcast after a storm
  then carries the final state, whichever process sends it. A process cannot tell whether
  another process's newer state (a close at the hard stop) reached the room before or after
  its own flush, so it sends that state again: clients replace an object by id, and the same
  payload twice changes nothing. Reading at every flush would
  be simpler but waits, during the storm, behind every handler for a database connection.
  If the pool has no connection for the settling within its timeout (the database is
  saturated), the keys are kept and the loop settles again after the next interval; the
  loop holds no connection while it waits.

The flush loop (`run_flush_loop`) is a plain function over an injected `sleep`, so
tests drive it without sleeping. It runs only while there is work: the first offer
after a quiet spell starts it as a Socket.IO background task, and it returns after an
interval that brought nothing new. Idle processes and the many apps a test suite builds keep no
thread or greenlet alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from flask import Flask, current_app
from sqlalchemy.exc import TimeoutError as PoolTimeout

from networkfest.database import report_saturation
from networkfest.extensions import db, socketio
from networkfest.types import DbSession

log = logging.getLogger(__name__)

NAMESPACE = "/live"
DEFAULT_INTERVAL_MS = 200
EXTENSION_KEY = "networkfest.fanout"

Payload = dict[str, Any]
PendingKey = tuple[str, str, Hashable]
"""(room, event, key)."""
Fresh = tuple[Payload, str, Hashable, int | None]
"""(payload, room, key, version): one message a refresher wants sent."""
Refresher = Callable[[list[Hashable]], list[Fresh]]
Emit = Callable[[str, Payload, str], None]
"""`emit(event, payload, room)`."""
Destinations = list[tuple[str, Payload]]
"""(room, payload) for every room one object goes to, with what that room may see of it."""


class Versioned(Protocol):
    """An object of the live room as a slice sends it (a question, a poll): its id is the
    coalescer's key, its revision (raised by every committed change) the version."""

    @property
    def id(self) -> int: ...

    @property
    def revision(self) -> int: ...


View = TypeVar("View", bound=Versioned)


@dataclass
class Coalescer:
    """Latest payload per (room, event, key), sent in one batch per interval."""

    emit: Emit
    interval: float
    refreshers: dict[str, Refresher] = field(default_factory=dict)
    _pending: dict[PendingKey, Payload] = field(default_factory=dict)
    # Keys flushed since the last settling, for events with a refresher.
    _flushed: dict[str, list[Hashable]] = field(default_factory=dict)
    # The newest version pending or sent per (room, event, key), for keys offered with one.
    _versions: dict[PendingKey, int] = field(default_factory=dict)
    _running: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    offered: int = 0
    emitted: int = 0

    def offer(
        self, event: str, payload: Payload, room: str, key: Hashable, version: int | None = None
    ) -> bool:
        """Queue the latest state; True when the caller must start the flush loop."""
        slot = (room, event, key)
        with self._lock:
            self.offered += 1
            if not self._newer(slot, version):
                return False
            self._pending[slot] = payload
            if self._running:
                return False
            self._running = True
            return True

    def send_now(
        self, event: str, payload: Payload, room: str, key: Hashable, version: int | None = None
    ) -> None:
        """Emit at once, dropping an older pending payload that would otherwise follow it."""
        slot = (room, event, key)
        with self._lock:
            if not self._newer(slot, version):
                return
            self._pending.pop(slot, None)
        self._send(event, payload, room)

    def _newer(self, slot: PendingKey, version: int | None, strictly: bool = False) -> bool:
        """Record `version` for the slot; False when a newer one (or, `strictly`, the same
        one) is already pending or sent."""
        if version is None:
            return True
        known = self._versions.get(slot)
        if known is not None and (version < known or (strictly and version == known)):
            return False
        self._versions[slot] = version
        return True

    def flush(self) -> int:
        """Send every pending payload once; return how many events went out."""
        with self._lock:
            batch, self._pending = self._pending, {}
            for _room, event, key in batch:
                if event in self.refreshers and key not in self._flushed.setdefault(event, []):
                    self._flushed[event].append(key)
        for (room, event, _key), payload in batch.items():
            self._send(event, payload, room)
        return len(batch)

    def settle(self) -> int:
        """Send the current state of the keys flushed since the last settling, where it is
        newer than what this process sent; return how many events went out."""
        with self._lock:
            flushed, self._flushed = self._flushed, {}
        sent = 0
        for event, keys in flushed.items():
            try:
                fresh = self.refreshers[event](keys)
            except PoolTimeout:
                self._settle_later(flushed)
                raise
            for payload, room, key, version in fresh:
                with self._lock:
                    newer = self._newer((room, event, key), version, strictly=True)
                if newer:
                    self._send(event, payload, room)
                    sent += 1
        return sent

    def _settle_later(self, flushed: dict[str, list[Hashable]]) -> None:
        """Keep keys whose settling could not read the database, for the next settling."""
        with self._lock:
            for event, keys in flushed.items():
                waiting = self._flushed.setdefault(event, [])
                waiting.extend(key for key in keys if key not in waiting)

    def stop_if_idle(self) -> bool:
        """End the loop if nothing is pending; atomic with `offer`'s check, so no offer is lost."""
        with self._lock:
            if self._pending:
                return False
            self._running = False
            return True

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def _send(self, event: str, payload: Payload, room: str) -> None:
        self.emit(event, payload, room)
        with self._lock:
            self.emitted += 1


def run_flush_loop(coalescer: Coalescer, sleep: Callable[[float], None]) -> int:
    """Flush once per interval while offers keep coming; return the number of flushes.

    The loop ends after one interval with nothing to send, so a steady storm of votes
    is served by one loop rather than a new background task per flush.
    """
    flushes = 0
    while True:
        sleep(coalescer.interval)
        sent = coalescer.flush()
        flushes += 1
        if sent == 0:
            try:
                coalescer.settle()
            except PoolTimeout:
                # Saturated, not away: settle after the next interval (logged once per interval).
                report_saturation("the vote counts' settling, tried again after an interval")
                continue
            except Exception:
                # The database may be away; the loop must still end cleanly, or no vote
                # count would be broadcast again in this process.
                log.exception("reading the state to settle on failed; sent what was offered")
            if coalescer.stop_if_idle():
                return flushes


def socketio_emit(event: str, payload: Payload, room: str) -> None:
    """The production emitter: through the message queue when one is configured."""
    socketio.emit(event, payload, namespace=NAMESPACE, to=room)


def init_app(app: Flask) -> None:
    """Give the app its coalescer; `FANOUT_INTERVAL_MS = 0` turns coalescing off."""
    interval_ms = int(app.config.get("FANOUT_INTERVAL_MS", DEFAULT_INTERVAL_MS))
    if interval_ms < 0:
        raise RuntimeError("FANOUT_INTERVAL_MS must be 0 (off) or a positive number")
    app.extensions[EXTENSION_KEY] = Coalescer(socketio_emit, interval_ms / 1000)


def add_refresher(app: Flask, event: str, refresher: Refresher) -> None:
    """Have the app's flush loop settle `event` with the state `refresher` reads (see above)."""
    app.extensions[EXTENSION_KEY].refreshers[event] = refresher


def coalescer() -> Coalescer:
    return current_app.extensions[EXTENSION_KEY]


def publish(
    event: str, payload: Payload, room: str, key: Hashable, version: int | None = None
) -> None:
    """Send a high-frequency update to a room, coalesced with others for the same key."""
    target = coalescer()
    if target.interval <= 0:
        target.send_now(event, payload, room, key, version)
    elif target.offer(event, payload, room, key, version):
        socketio.start_background_task(run_flush_loop, target, socketio.sleep)


def publish_now(
    event: str, payload: Payload, room: str, key: Hashable, version: int | None = None
) -> None:
    """Send an update at once, superseding any coalesced one still waiting for that key."""
    coalescer().send_now(event, payload, room, key, version)


def send_view(event: str, view: Versioned, destinations: Destinations, *, coalesce: bool) -> None:
    """Send one created or changed object to every room it goes to: coalesced with others
    for the same key (counts moved by a storm), or at once, superseding a pending count."""
    send = publish if coalesce else publish_now
    # End any read transaction before network I/O: no lock is held while sending.
    db.session.commit()
    for room, payload in destinations:
        send(event, payload, room, view.id, view.revision)


def refresher(
    app: Flask,
    read: Callable[[DbSession, list[int]], Sequence[View]],
    destinations: Callable[[View], Destinations],
) -> Refresher:
    """A refresher (see above) for objects read by id: `read` takes them as they are now in
    one query, in the loop's own app context, ended before anything is sent (a background
    task holds no connection while it waits for the network)."""

    def refresh(keys: list[Hashable]) -> list[Fresh]:
        with app.app_context():
            try:
                views = read(db.session, [key for key in keys if isinstance(key, int)])
            finally:
                db.session.remove()
        return [
            (payload, room, view.id, view.revision)
            for view in views
            for room, payload in destinations(view)
        ]

    return refresh
