"""Presence: who was in a session's live room, and when.

Each connection's stay is one `Presence` row (joined on `join`, left on `leave` or
disconnect). A person with several tabs or reconnects has overlapping rows; the
insights slice turns them into attendance (`insights/figures.py`).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, exists, func, insert, or_, select, update

from networkfest.live.models import Presence
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession

# The rooms in which each of this process's connections has a stay open. A connection
# lives in one process (sticky sessions), so only this process opens or closes its stays:
# knowing them here saves every join the query that would look for one.
_open_here: dict[str, set[int]] = {}
_open_lock = threading.Lock()
# A plain INSERT, built once: one per join, with nothing to read back.
_OPEN_STAY = insert(cast(Table, Presence.__table__))


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


def in_slot(festival_session: FestivalSession) -> tuple[Any, ...]:
    """Stays in the room during the session's slot; the lobby before the start is not."""
    return (
        Presence.session_id == festival_session.id,
        Presence.joined_at < festival_session.ends_at,
        or_(Presence.left_at.is_(None), Presence.left_at > festival_session.starts_at),
    )


def was_in_room(db: DbSession, festival_session: FestivalSession, user_id: int) -> bool:
    """Were they in the room: a stay of theirs in the live room during the session's slot."""
    return bool(
        db.scalar(select(exists().where(Presence.user_id == user_id, *in_slot(festival_session))))
    )


def people_in_room(db: DbSession, session_id: int, besides: int | None = None) -> int:
    """How many signed-in people have a stay open in the room now, each once however many
    tabs they have, leaving out `besides` (the person asking, who is on their way in):
    what the room tells the people in it when the page opens."""
    statement = select(func.count(func.distinct(Presence.user_id))).where(
        Presence.session_id == session_id, Presence.left_at.is_(None)
    )
    if besides is not None:
        statement = statement.where(Presence.user_id != besides)
    return int(db.scalar(statement) or 0)
