"""Closing `/live` connections whose credentials or rights are gone, in every process.

Flask-SocketIO fixes a connection's identity at connect time, so an open socket would
outlive a sign-out, a revoked token or a lost right. Every signed-in connection joins
its person's room and the room of what it was opened with (its sign-in or its token,
`live/sockets.py`); closing that room closes exactly what relied on it, through the
message queue when there is one (`realtime.emit.close_connections`).
"""

from __future__ import annotations

from networkfest.realtime import emit
from networkfest.realtime.protocol import sign_in_room, token_room, user_room

# Told before the close, so the person's pages reload to what they may now see.
SIGNED_OUT = "logged_out"
RIGHTS_CHANGED = "rights_changed"


def close(room: str, event: str) -> None:
    emit.to_room(event, {}, room)
    emit.close_connections(room)


def disconnect_user(user_id: int) -> None:
    """Every connection of the person, however it was opened."""
    close(user_room(user_id), SIGNED_OUT)


def disconnect_sign_in(sign_in_id: int) -> None:
    close(sign_in_room(sign_in_id), SIGNED_OUT)


def disconnect_token(token_id: int) -> None:
    close(token_room(token_id), SIGNED_OUT)


def downgrade(user_id: int) -> None:
    """A lost right: the person's connections close and their pages connect again, joining
    only what they may still see (a former host is no longer in any hosts' room)."""
    close(user_room(user_id), RIGHTS_CHANGED)
