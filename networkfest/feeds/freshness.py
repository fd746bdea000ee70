"""The published festival's (id, version) as the public feeds read it: at most once a second.

A feed's 304 is decided by the schedule version alone, and reading it (a pooled connection,
a transaction, the query) was four tenths of the answer's cost. Feeds promise five minutes
of freshness (`Cache-Control: max-age=300`), so a process may answer from a reading up to
`TTL` old. A festival changed through this process (publishing) is forgotten as soon as
the change commits; another process's publication is seen within `TTL`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from networkfest.programme.models import Festival

TTL = timedelta(seconds=1)
_CHANGED = "networkfest.festival_changed"


@dataclass(frozen=True)
class Published:
    id: int
    version: int


@dataclass(frozen=True)
class Reading:
    published: Published
    read_at: datetime


_readings: dict[str, Reading] = {}
_lock = threading.Lock()


def fresh(reading: Reading | None, now: datetime) -> bool:
    """Whether a reading may still answer at `now` (a clock set back makes it stale)."""
    return reading is not None and reading.read_at <= now < reading.read_at + TTL


def recall(database: str, now: datetime) -> Published | None:
    with _lock:
        reading = _readings.get(database)
    return reading.published if reading is not None and fresh(reading, now) else None


def remember(database: str, published: Published, now: datetime) -> None:
    with _lock:
        _readings[database] = Reading(published, now)


def forget(database: str) -> None:
    with _lock:
        _readings.pop(database, None)


@event.listens_for(Festival, "after_insert")
@event.listens_for(Festival, "after_update")
@event.listens_for(Festival, "after_delete")
def _festival_changed(_mapper: Any, connection: Any, festival: Festival) -> None:
    session = object_session(festival)
    if session is not None:
        session.info[_CHANGED] = database_key(connection.engine)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    database = session.info.pop(_CHANGED, None)
    if database is not None:
        forget(database)


def database_key(engine: Any) -> str:
    """Which database a reading belongs to: its URL (the password hidden)."""
    return str(engine.url)
