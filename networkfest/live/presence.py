"""Presence: who was in a session's live room, and when.

Each connection's stay is one `Presence` row (joined on `join`, left on `leave` or
disconnect). A person with several tabs or reconnects has overlapping rows; the
insights slice turns them into attendance (`insights/figures.py`).

A join does not wait for its row. Its stay waits in this process's buffer (`pending`) and a
background task writes whatever has gathered every `PRESENCE_FLUSH_SECONDS` (default 1 s), in
one INSERT: a storm of 2,000 joins costs a few statements, none of them before an
acknowledgement. A stay is also written at once when its connection leaves or disconnects,
before this process says who was in a room (`was_in_room`, `people_in_room`), and when the
process shuts down. A crash (SIGKILL, a power cut) loses at most the stays opened in its last
interval; the organisers' dashboard says how fresh its figures are. Where no background task
runs (the job runner off, `TICKER`: unit tests, the CLI) or the interval is 0, each stay is
written with its join.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import Integer, String, Table, bindparam, exists, func, insert, or_, select, update

from networkfest import database
from networkfest.extensions import db as extension
from networkfest.extensions import socketio
from networkfest.live.models import Presence
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession, UTCDateTime

log = logging.getLogger(__name__)

DEFAULT_FLUSH_SECONDS = 1.0
BUFFER_KEY = "networkfest.presence"

# The rooms in which each of this process's connections has a stay open. A connection
# lives in one process (sticky sessions), so only this process opens or closes its stays:
# knowing them here saves every join the query that would look for one.
_open_here: dict[str, set[int]] = {}
_open_lock = threading.Lock()
# A plain INSERT, built once: one per flush (many rows) or per join, nothing to read back.
_OPEN_STAY = insert(cast(Table, Presence.__table__))
# On PostgreSQL a flush's stays go as one array per column, in one statement: psycopg sends
# an executemany's rows one by one, a quarter of a millisecond of the process's time each.
_STAY_COLUMNS = ("session_id", "user_id", "sid", "joined_at")
_STAYS = database.array_rows(
    session_id=Integer(), user_id=Integer(), sid=String(), joined_at=UTCDateTime()
)
_OPEN_STAYS_ON_POSTGRES = insert(cast(Table, Presence.__table__)).from_select(
    _STAY_COLUMNS, select(*(_STAYS.c[column] for column in _STAY_COLUMNS))
)
# And the UPDATEs that end a connection's stays, everywhere or in one room: when a room
# empties, thousands of disconnects would otherwise each compose one.
_END_STAYS = (
    update(cast(Table, Presence.__table__))
    .where(Presence.sid == bindparam("connection"), Presence.left_at.is_(None))
    .values(left_at=bindparam("ended_at"))
)
_END_STAYS_IN_ROOM = _END_STAYS.where(Presence.session_id == bindparam("room"))


class Pending:
    """Stays opened in this process and not yet written, oldest first."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, row: dict[str, Any]) -> None:
        with self._lock:
            self._rows.append(row)

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            rows, self._rows = self._rows, []
        return rows

    def put_back(self, rows: list[dict[str, Any]]) -> None:
        """A write that failed: its rows go first in the next one, so none is lost."""
        with self._lock:
            self._rows[:0] = rows

    def close(self, sid: str, now: datetime, session_id: int | None) -> None:
        """A stay that ends before it was written is written whole."""
        with self._lock:
            for row in self._rows:
                if (
                    row["sid"] == sid
                    and row["left_at"] is None
                    and (session_id is None or row["session_id"] == session_id)
                ):
                    row["left_at"] = now

    def stayed(self, session_id: int, user_id: int, starts_at: datetime, ends_at: datetime) -> bool:
        """A pending stay of theirs in the room overlapping the slot (as `in_slot` asks)."""
        with self._lock:
            return any(
                row["session_id"] == session_id
                and row["user_id"] == user_id
                and row["joined_at"] < ends_at
                and (row["left_at"] is None or row["left_at"] > starts_at)
                for row in self._rows
            )

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)


class Buffer:
    """One app's pending stays and how often they are written (0: with each join)."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.pending = Pending()
        self.started = False
        self.lock = threading.Lock()


def buffer_of(app: Flask) -> Buffer:
    """The app's buffer: writing later only where a background task writes (`TICKER`)."""
    found: Buffer | None = app.extensions.get(BUFFER_KEY)
    if found is None:
        interval = float(app.config.get("PRESENCE_FLUSH_SECONDS", DEFAULT_FLUSH_SECONDS))
        if not app.config.get("TICKER"):
            interval = 0.0
        found = app.extensions.setdefault(BUFFER_KEY, Buffer(interval))
    return found


def start(db: DbSession, session_id: int, user_id: int | None, sid: str, now: datetime) -> None:
    """Open a stay for this connection in this room, once however often it joins; written
    now, in this unit of work."""
    if _first_in_room(session_id, user_id, sid):
        try:
            db.execute(_OPEN_STAY, _row(session_id, user_id, sid, now))
            db.commit()
        except Exception:
            _forget(sid, session_id)
            raise


def arrive(
    app: Flask, db: DbSession, session_id: int, user_id: int | None, sid: str, now: datetime
) -> None:
    """A join's stay: kept for the next flush, or written now where nothing flushes."""
    buffer = buffer_of(app)
    if buffer.interval_s <= 0:
        start(db, session_id, user_id, sid, now)
        return
    if _first_in_room(session_id, user_id, sid):
        buffer.pending.add(_row(session_id, user_id, sid, now))
        _start_flusher(app, buffer)


def flush(app: Flask, db: DbSession) -> int:
    """Write every pending stay of this process in one INSERT; how many were written."""
    buffer = app.extensions.get(BUFFER_KEY)
    if buffer is None:
        return 0
    rows = buffer.pending.take()
    if not rows:
        return 0
    try:
        if database.on_postgresql(db):
            arrays = {f"{column}s": [row[column] for row in rows] for column in _STAY_COLUMNS}
            db.execute(_OPEN_STAYS_ON_POSTGRES, arrays)
        else:
            db.execute(_OPEN_STAY, rows)
        db.commit()
    except Exception:
        db.rollback()
        buffer.pending.put_back(rows)
        raise
    return len(rows)


def flusher_round(app: Flask, wait: Callable[[float], Any]) -> int:
    """One turn of the background task: wait the interval, then write what gathered."""
    wait(buffer_of(app).interval_s)
    with app.app_context():
        try:
            return flush(app, extension.session)
        except Exception:
            log.exception("could not write the live rooms' presence; trying again")
            return 0
        finally:
            extension.session.remove()


def _start_flusher(app: Flask, buffer: Buffer) -> None:
    if buffer.started:
        return
    with buffer.lock:
        if buffer.started:
            return
        buffer.started = True

    def run() -> None:
        while True:
            flusher_round(app, socketio.sleep)

    socketio.start_background_task(run)
    atexit.register(flush_at_exit, app)


def flush_at_exit(app: Flask) -> None:
    """Shutting down (SIGTERM, the end of a run): write what is pending before it goes."""
    with app.app_context():
        try:
            flush(app, extension.session)
        finally:
            extension.session.remove()


def _first_in_room(session_id: int, user_id: int | None, sid: str) -> bool:
    if user_id is None:
        return False
    with _open_lock:
        rooms = _open_here.setdefault(sid, set())
        if session_id in rooms:
            return False
        rooms.add(session_id)
    return True


def _row(session_id: int, user_id: int | None, sid: str, now: datetime) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "user_id": user_id,
        "sid": sid,
        "joined_at": now,
        "left_at": None,
    }


def end(
    db: DbSession, sid: str, now: datetime, session_id: int | None = None, app: Flask | None = None
) -> None:
    """Close this connection's open stays: in one room (leave) or in every room (disconnect).
    With `app`, its pending stays are written first (closed, if this ends them). Only this
    process opens a connection's stays, so one it opened none for (a visitor, a page that
    never joined) asks the database nothing."""
    if app is not None and app.extensions.get(BUFFER_KEY) is not None:
        app.extensions[BUFFER_KEY].pending.close(sid, now, session_id)
        flush(app, db)
    if not _open_in(sid, session_id):
        return
    try:
        if session_id is None:
            db.execute(_END_STAYS, {"connection": sid, "ended_at": now})
        else:
            db.execute(_END_STAYS_IN_ROOM, {"connection": sid, "ended_at": now, "room": session_id})
        db.commit()
    finally:
        _forget(sid, session_id)


def _open_in(sid: str, session_id: int | None) -> bool:
    """Whether this connection has a stay open here: in that room, or in any."""
    with _open_lock:
        rooms = _open_here.get(sid, set())
        return bool(rooms) and (session_id is None or session_id in rooms)


def _forget(sid: str, session_id: int | None) -> None:
    with _open_lock:
        rooms = _open_here.get(sid)
        if rooms is not None and session_id is not None:
            rooms.discard(session_id)
        if not rooms or session_id is None:
            _open_here.pop(sid, None)


def in_slot(festival_session: FestivalSession) -> tuple[Any, ...]:
    """Stays in the room during the session's slot; the lobby before the start is not."""
    return (
        Presence.session_id == festival_session.id,
        Presence.joined_at < festival_session.ends_at,
        or_(Presence.left_at.is_(None), Presence.left_at > festival_session.starts_at),
    )


def was_in_room(db: DbSession, festival_session: FestivalSession, user_id: int) -> bool:
    """Were they in the room: a stay of theirs in the live room during the session's slot,
    written or still pending in this process."""
    buffer: Buffer | None = current_app.extensions.get(BUFFER_KEY) if has_app_context() else None
    if buffer is not None and buffer.pending.stayed(
        festival_session.id, user_id, festival_session.starts_at, festival_session.ends_at
    ):
        return True
    return bool(
        db.scalar(select(exists().where(Presence.user_id == user_id, *in_slot(festival_session))))
    )


def people_in_room(db: DbSession, session_id: int, besides: int | None = None) -> int:
    """How many signed-in people have a stay open in the room now, each once however many
    tabs they have, leaving out `besides` (the person asking, who is on their way in):
    what the room tells the people in it when the page opens. Stays are written at most
    `PRESENCE_FLUSH_SECONDS` after a join: the last second's arrivals may not count yet."""
    statement = select(func.count(func.distinct(Presence.user_id))).where(
        Presence.session_id == session_id, Presence.left_at.is_(None)
    )
    if besides is not None:
        statement = statement.where(Presence.user_id != besides)
    return int(db.scalar(statement) or 0)
