"""Server→client emits on `/live`. They go through the message queue when one is configured,
so they reach every process; safe to call from request handlers and background tasks alike."""

from __future__ import annotations

from typing import Any

from networkfest.extensions import socketio
from networkfest.message_queue import RedisQueue, disconnect_local
from networkfest.realtime.protocol import NAMESPACE, session_room, user_room


def to_session(event: str, payload: dict[str, Any], session_id: int) -> None:
    socketio.emit(event, payload, namespace=NAMESPACE, to=session_room(session_id))


def to_room(event: str, payload: dict[str, Any], room: str) -> None:
    socketio.emit(event, payload, namespace=NAMESPACE, to=room)


def to_user(event: str, payload: dict[str, Any], user_id: int) -> None:
    socketio.emit(event, payload, namespace=NAMESPACE, to=user_room(user_id))


def close_connections(room: str) -> None:
    """Disconnect every `/live` connection in a room, in whichever process holds it.

    With the Redis queue the other processes are told through it; with one process the
    connections are all here.
    """
    manager = socketio.server.manager
    if isinstance(manager, RedisQueue):
        manager.disconnect_room(room, NAMESPACE)
    else:
        disconnect_local(manager, room, NAMESPACE)
