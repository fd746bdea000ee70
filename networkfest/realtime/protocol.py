"""The live protocol's plumbing: acknowledgements, error codes, rooms and the caller's identity.

Every client→server event answers through its acknowledgement with `{"ok": true, ...}`
or `{"ok": false, "error": {"code", "message"}}` (docs/architecture.md). Handlers raise
`ProtocolError`; `@live_event` turns it, and anything unexpected, into that shape, so
a malformed event never leaves an exception in the server log. An event that waited the
pool timeout for a database connection is refused `busy`, after a rollback: the client may
send it again (the live page does, with back-off).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import TimeoutError as PoolTimeout

from networkfest.database import BUSY_MESSAGE, answering, report_saturation
from networkfest.extensions import db
from networkfest.realtime import ratelimit
from networkfest.security import NUL_REFUSED, has_nul

log = logging.getLogger(__name__)

NAMESPACE = "/live"
USER_LOADER_KEY = "networkfest.load_user"
ERROR_CODES = (
    "unauthenticated",
    "forbidden",
    "not_found",
    "invalid",
    "too_long",
    "rate_limited",
    "not_live",
    "qa_off",
    "busy",
)

Ack = dict[str, Any]
RATE_LIMITED = "That was a lot at once. Please wait a moment and try again."


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        assert code in ERROR_CODES or code == "internal", code
        super().__init__(message)
        self.code = code
        self.message = message


def ok(**fields: Any) -> Ack:
    return {"ok": True, **fields}


def failure(code: str, message: str) -> Ack:
    return {"ok": False, "error": {"code": code, "message": message}}


def live_event(handler: Callable[..., Ack]) -> Callable[..., Ack]:
    """Wrap a namespace handler: optional payload, one ack shape, nothing half-written.

    Every event first passes the per-person rate limit (`realtime/ratelimit.py`), so a flood is
    refused with `rate_limited` before it reaches the database. When the database cannot keep
    up, the event waits at most the pool timeout for a connection and is refused `busy`
    (logged once per interval, not per event: `database.report_saturation`).
    The database session is not removed here: Flask-SQLAlchemy removes it when the event's
    app context ends, and removing it by hand would break a caller whose context this
    handler runs inside (a logout disconnecting sockets from within its HTTP request).
    """

    event = handler.__name__.removeprefix("on_")

    @wraps(handler)
    def wrapper(self: Any, payload: Any = None) -> Ack:
        try:
            if not ratelimit.allow(event, _rate_key()):
                raise ProtocolError("rate_limited", RATE_LIMITED)
            if has_nul(payload):
                raise ProtocolError("invalid", NUL_REFUSED)
            with answering():
                return handler(self, payload)
        except ProtocolError as error:
            db.session.rollback()
            return failure(error.code, error.message)
        except PoolTimeout:
            db.session.rollback()
            report_saturation(f"live event {event} answered busy", db.engine)
            return failure("busy", BUSY_MESSAGE)
        except Exception:
            db.session.rollback()
            log.exception("live event %s failed", handler.__name__)
            return failure("internal", "Something went wrong on our side. Please try again.")

    return wrapper


def _rate_key() -> str:
    """Counted per person across their connections; anonymous watchers per connection."""
    user_id = connection_user_id()
    if user_id is not None:
        return f"user:{user_id}"
    return f"sid:{current_sid()}"


def require_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ProtocolError("invalid", "The event needs a JSON object as its payload.")
    return payload


def require_str(payload: dict[str, Any], key: str, max_length: int = 200) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError("invalid", f"'{key}' must be a non-empty string.")
    if len(value) > max_length:
        raise ProtocolError("too_long", f"'{key}' is too long.")
    return value


def require_int(payload: dict[str, Any], key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError("invalid", f"'{key}' must be a whole number.")
    return value


def require_bool(payload: dict[str, Any], key: str, default: bool | None = None) -> bool:
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise ProtocolError("invalid", f"'{key}' must be true or false.")
    return value


def session_room(session_id: int) -> str:
    """Everyone watching a session's live room."""
    return f"session:{session_id}"


def hosts_room(session_id: int) -> str:
    """The session's hosts and any organisers in the room: they see pending and hidden questions."""
    return f"session:{session_id}:hosts"


def user_room(user_id: int) -> str:
    """Every connection of one person, whichever session page they have open."""
    return f"user:{user_id}"


def sign_in_room(sign_in_id: int) -> str:
    """The connections opened by one sign-in (a browser's session cookie)."""
    return f"sign-in:{sign_in_id}"


def token_room(token_id: int) -> str:
    """The connections opened with one personal API token."""
    return f"token:{token_id}"


# The person behind each connection, fixed at connect (session cookie or personal token):
# sid → user id. A Socket.IO connection lives in one process (sticky sessions), so a
# per-process map is enough. Reading it, rather than Flask-Login's `current_user` at every
# event, means a connection's identity cannot drift from what was checked at the handshake.
_connection_users: dict[str, int] = {}


def remember_user(sid: str, user_id: int) -> None:
    _connection_users[sid] = user_id


def forget_connection(sid: str) -> None:
    _connection_users.pop(sid, None)


def connection_user_id() -> int | None:
    return _connection_users.get(current_sid())


_event_sid: ContextVar[str] = ContextVar("networkfest_live_event_sid")


@contextmanager
def handling(sid: str) -> Iterator[None]:
    """The connection whose event runs in this block (`current_sid`): the namespace says so
    for every event, whether Flask-SocketIO's request context runs it or the app's alone."""
    token = _event_sid.set(sid)
    try:
        yield
    finally:
        _event_sid.reset(token)


def current_sid() -> str:
    """The connection whose event is being handled."""
    return _event_sid.get()


def set_user_loader(app: Flask, loader: Callable[[int], Any]) -> None:
    """The accounts slice says how a user id becomes a person; the transport knows no slice."""
    app.extensions[USER_LOADER_KEY] = loader


def caller() -> Any:
    """The signed-in user behind this Socket.IO connection, fresh from the database, or None."""
    return person(connection_user_id())


def person(user_id: int | None) -> Any:
    """The user with this id as `caller` finds them, in this context's database session: for
    work done on behalf of other connections (a group of votes); None for None."""
    if user_id is None:
        return None
    return current_app.extensions[USER_LOADER_KEY](user_id)
