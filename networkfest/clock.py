"""The time source. Everything below a handler takes `now` as a value; handlers ask this."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Real time, timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """A clock tests can stop, set and move; thread-safe because servers read it from threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("instants must be timezone-aware")
        with self._lock:
            self._now = instant

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now = self._now + delta


class OffsetClock:
    """System time shifted by an offset: lets a test-only setting move a real server's clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._offset = instant - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_epoch_ms(instant: datetime) -> int:
    """Socket.IO payloads carry instants as integer epoch milliseconds (UTC), exactly."""
    return (instant - EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)
