"""Open `/live` connections per person, so that signing out can close them.

Flask-SocketIO copies the login session at connect time, so an open socket would
outlive a logout; `disconnect_user` ends them. Each process knows its own sids; sids
in a room elsewhere are found through open `Presence` rows, and python-socketio's
pub/sub manager forwards their disconnect to the process that holds them.
"""

from __future__ import annotations

import threading

from networkfest.extensions import db, socketio
from networkfest.live import presence
from networkfest.realtime.emit import to_user
from networkfest.realtime.protocol import NAMESPACE

_lock = threading.Lock()
_sids_by_user: dict[int, set[str]] = {}
_user_by_sid: dict[str, int] = {}


def register(sid: str, user_id: int) -> None:
    with _lock:
        _sids_by_user.setdefault(user_id, set()).add(sid)
        _user_by_sid[sid] = user_id


def unregister(sid: str) -> None:
    """O(1): a room of thousands disconnecting at once must not scan every person."""
    with _lock:
        user_id = _user_by_sid.pop(sid, None)
        if user_id is None:
            return
        sids = _sids_by_user.get(user_id, set())
        sids.discard(sid)
        if not sids:
            _sids_by_user.pop(user_id, None)


def local_sids(user_id: int) -> set[str]:
    with _lock:
        return set(_sids_by_user.get(user_id, ()))


def disconnect_user(user_id: int) -> None:
    """Tell the person's pages they were signed out, then close every open connection.

    Needs an app context (the open `Presence` rows are read from the database).
    """
    to_user("logged_out", {}, user_id)
    sids = local_sids(user_id) | set(presence.open_sids(db.session, user_id))
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE)
