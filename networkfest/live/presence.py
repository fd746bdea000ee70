"""Presence: who was in a session's live room, and for how long.

Each connection's stay is one `Presence` row (joined on `join`, left on `leave` or
disconnect). A person with several tabs or reconnects has overlapping rows: their
attendance is the union of those intervals, clipped to the session's slot.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session as DbSession

from networkfest.insights.models import Presence
from networkfest.programme.models import FestivalSession

Interval = tuple[datetime, datetime]


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """Intervals cut to [start, end]; empty ones dropped."""
    clipped = []
    for a, b in intervals:
        a, b = max(a, start), min(b, end)
        if b > a:
            clipped.append((a, b))
    return clipped


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged: a person in two tabs is there once."""
    merged: list[Interval] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def total_seconds(intervals: Iterable[Interval]) -> int:
    return int(sum((b - a).total_seconds() for a, b in union(intervals)))


def peak(people: Iterable[list[Interval]]) -> int:
    """The most people present at one instant; each person's intervals are merged first."""
    events: list[tuple[datetime, int]] = []
    for intervals in people:
        for a, b in union(intervals):
            events.append((a, 1))
            events.append((b, -1))
    # At the same instant a leave counts before a join, so a hand-over is not an overlap.
    events.sort(key=lambda event: (event[0], event[1]))
    current = best = 0
    for _, change in events:
        current += change
        best = max(best, current)
    return best


# The rooms in which each of this process's connections has a stay open. A connection
# lives in one process (sticky sessions), so only this process opens or closes its stays:
# knowing them here saves every join the query that would look for one.
_open_here: dict[str, set[int]] = {}
_open_lock = threading.Lock()
# A plain INSERT, built once: one per join, with nothing to read back.
_OPEN_STAY = insert(Presence.__table__)


def start(db: DbSession, session_id: int, user_id: int | None, sid: str, now: datetime) -> None:
    """Open a stay for this connection in this room, once however often it joins."""
    if user_id is None:
        return
    with _open_lock:
        rooms = _open_here.setdefault(sid, set())
        if session_id in rooms:
            return
        rooms.add(session_id)
    try:
        db.execute(
            _OPEN_STAY,
            {"session_id": session_id, "user_id": user_id, "sid": sid, "joined_at": now},
        )
        db.commit()
    except Exception:
        _forget(sid, session_id)
        raise


def end(db: DbSession, sid: str, now: datetime, session_id: int | None = None) -> None:
    """Close this connection's open stays: in one room (leave) or in every room (disconnect)."""
    statement = update(Presence).where(Presence.sid == sid, Presence.left_at.is_(None))
    if session_id is not None:
        statement = statement.where(Presence.session_id == session_id)
    try:
        db.execute(statement.values(left_at=now).execution_options(synchronize_session=False))
        db.commit()
    finally:
        _forget(sid, session_id)


def _forget(sid: str, session_id: int | None) -> None:
    with _open_lock:
        rooms = _open_here.get(sid)
        if rooms is not None and session_id is not None:
            rooms.discard(session_id)
        if not rooms or session_id is None:
            _open_here.pop(sid, None)


def open_sids(db: DbSession, user_id: int) -> list[str]:
    """Connections of this person still in a room, in whichever process holds them."""
    return list(
        db.scalars(
            select(Presence.sid)
            .where(Presence.user_id == user_id, Presence.left_at.is_(None))
            .distinct()
        )
    )


def _intervals_by_user(
    db: DbSession, session_id: int, now: datetime | None
) -> dict[int, list[Interval]]:
    festival_session = db.get(FestivalSession, session_id)
    if festival_session is None:
        return {}
    slot_start, slot_end = festival_session.starts_at, festival_session.ends_at
    open_until = min(now, slot_end) if now is not None else slot_end
    rows = db.execute(
        select(Presence.user_id, Presence.joined_at, Presence.left_at).where(
            Presence.session_id == session_id, Presence.user_id.is_not(None)
        )
    )
    by_user: dict[int, list[Interval]] = defaultdict(list)
    for user_id, joined_at, left_at in rows:
        by_user[user_id].append((joined_at, left_at or open_until))
    clipped = {user: clip(spans, slot_start, slot_end) for user, spans in by_user.items()}
    return {user: spans for user, spans in clipped.items() if spans}


def attendance(db: DbSession, session_id: int, now: datetime | None = None) -> dict[int, int]:
    """Seconds each signed-in person spent in the room during the session's slot.

    A stay still open counts until `now` (if given) or the scheduled end.
    """
    return {
        user: total_seconds(spans)
        for user, spans in _intervals_by_user(db, session_id, now).items()
    }


def peak_concurrent(db: DbSession, session_id: int, now: datetime | None = None) -> int:
    """The most signed-in people in the room at once during the slot."""
    return peak(_intervals_by_user(db, session_id, now).values())
