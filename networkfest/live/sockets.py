"""The `/live` namespace: connect, join, leave, disconnect; the mixins add the room's events
(Q&A, polls and the clock here; the app factory adds those of the slices above `live`).

Connections are accepted only from the allowed origins, signed in by the session cookie or a
personal token in the auth payload, or anonymous (watch only). Signed-in connections join
their person's room so notices, reminders and a logout reach every open page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context, request
from flask_socketio import Namespace, join_room, leave_room

from networkfest.accounts.auth import cookie_caller, token_identity
from networkfest.authz import PUBLIC, authorise
from networkfest.context import now
from networkfest.database import (
    BUSY_MESSAGE,
    NotInMemory,
    autocommit,
    from_memory,
    on_postgresql,
)
from networkfest.extensions import db
from networkfest.live import presence
from networkfest.polls import services as polls
from networkfest.polls.sockets import PollEvents
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import room_by_slug, room_to_read
from networkfest.qa import services as qa
from networkfest.qa.sockets import QuestionEvents
from networkfest.realtime.protocol import (
    NAMESPACE,
    Ack,
    ProtocolError,
    current_sid,
    forget_connection,
    handling,
    hosts_room,
    live_event,
    ok,
    remember_user,
    require_object,
    require_str,
    session_room,
    sign_in_room,
    token_room,
    user_room,
)
from networkfest.security import allowed_origins
from networkfest.timing.services import clock_state, kept_moves
from networkfest.timing.sockets import ClockEvents

T = TypeVar("T")


def origin_allowed(origin: str | None) -> bool:
    """No Origin header (non-browser clients) is allowed; a browser's must be ours."""
    return origin is None or origin.rstrip("/") in allowed_origins(current_app)


def _session_from(payload: Any) -> FestivalSession:
    slug = require_str(require_object(payload), "session", max_length=80)
    festival_session = room_by_slug(db.session, slug, run_sheet=False)
    if festival_session is None:
        raise ProtocolError("not_found", "There is no session with that name.")
    return festival_session


# How long a join waits for its turn at the gate before it is refused `busy`: longer than
# the pool timeout, since a join waiting here holds no connection.
JOIN_GATE_WAIT_S = 30.0
JOIN_GATE_KEY = "networkfest.join_gate"


def _join_gate() -> threading.BoundedSemaphore | None:
    """On PostgreSQL, the joins' share of this process's connection pool (half of it, the rest
    for questions, votes and pages); None on SQLite, whose statements never yield."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    gate: threading.BoundedSemaphore | None = app.extensions.get(JOIN_GATE_KEY)
    if gate is None and on_postgresql(db.engine):
        size = max(1, db.engine.pool.size() // 2)  # type: ignore[attr-defined]
        gate = app.extensions.setdefault(JOIN_GATE_KEY, threading.BoundedSemaphore(size))
    return gate


def _room_state(slug: str) -> tuple[dict[str, Any], int, int | None, datetime]:
    """Join the room and read its state: (state, session id, viewer's id, the instant).
    Writes nothing; joining the room twice, when a try from memory needed the database after
    all, is joining it once."""
    festival_session = room_to_read(db.session, slug)
    if festival_session is None:
        raise ProtocolError("not_found", "There is no session with that name.")
    user = authorise(PUBLIC)
    viewer = qa.looking(festival_session, user)
    instant = now()
    sid = current_sid()
    join_room(session_room(festival_session.id), sid=sid, namespace=NAMESPACE)
    if viewer.moderator:
        join_room(hosts_room(festival_session.id), sid=sid, namespace=NAMESPACE)
    state = {
        "clock": clock_state(
            db.session, festival_session, instant, kept_moves(db.session, festival_session)
        ),
        "questions": qa.snapshot(db.session, festival_session, viewer),
        "my_votes": qa.my_votes(db.session, festival_session, viewer.user_id),
        "polls": polls.session_polls(db.session, festival_session, viewer),
        "my_choices": polls.my_choices(db.session, festival_session, viewer.user_id),
    }
    return state, festival_session.id, viewer.user_id, instant


def _read_room_state(slug: str) -> tuple[dict[str, Any], int, int | None, datetime]:
    """The room's state from this process's copies where they hold all of it (the room, its
    clock's moves, whether it has questions or polls, the caller), as when everyone joins a
    room where nothing has been asked yet: no pooled connection, no turn at the gate.
    Otherwise from the database, without a transaction, and on PostgreSQL with at most half
    the pool's connections serving joins at once (`_join_gate`): in a storm the rest wait
    their turn there, holding nothing, rather than for a connection, which would refuse them
    `busy` after the pool timeout. The connection goes back at the end (a commit without a
    transaction costs no round trip)."""
    try:
        with from_memory(db.session):
            return _room_state(slug)
    except NotInMemory:
        pass
    gate = _join_gate()
    if gate is not None and not gate.acquire(timeout=JOIN_GATE_WAIT_S):
        raise ProtocolError("busy", BUSY_MESSAGE)
    try:
        autocommit(db.session)
        read = _room_state(slug)
        db.session.commit()
        return read
    finally:
        if gate is not None:
            gate.release()


def _identify(auth: Any) -> tuple[int | None, str | None] | None:
    """(person id, the room of what the connection was opened with: ending that closes it),
    both None for a visitor; None for a token that opens nothing.

    A token new to the process is read with the others that arrive with it, and the caller
    holds no database connection while it waits (`token_identity`). A cookie's sign-in is
    one read, with no BEGIN or ROLLBACK round trip around it."""
    token = _token_of(auth)
    if token is not None:
        identity = token_identity(token) if isinstance(token, str) else None
        if identity is None:
            return None
        return identity[0], token_room(identity[1])
    autocommit(db.session)
    person = cookie_caller()
    if person is not None and person.sign_in_id is not None:
        return person.id, sign_in_room(person.sign_in_id)
    return None, None


def _token_of(auth: Any) -> Any:
    """What the connection's auth payload gives as its personal token, if anything."""
    return auth.get("token") if isinstance(auth, dict) else None


# In a connection's WSGI environ: it was opened with a personal token.
_BY_TOKEN = "networkfest.live.by_token"


def _in_app_context(app: Flask, work: Callable[..., T], *args: Any) -> T:
    """`work` in the app's context, as Flask pushes one for a request: a new one unless one of
    this app's is current (a logout that closes its person's connections runs their
    disconnects inside its own)."""
    if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
        return work(*args)
    with app.app_context():
        return work(*args)


class LiveNamespace(QuestionEvents, PollEvents, ClockEvents, Namespace):
    def trigger_event(self, event: str, *args: Any) -> Any:
        """Flask-SocketIO runs each handler in a request context made from the connection's
        handshake (its URL matched, its cookie session opened, the HTTP rate limiter's state
        made and dropped): 35 µs an event. A connection signed in with a token uses none of
        it, nor does a disconnect, so their events run in the app's context alone; a
        browser's connection, signed in by its cookie, goes Flask-SocketIO's way for its
        connect and events. Either way the handlers learn their connection from `handling`,
        not from the request. Flask-SocketIO documents this method as the place for
        dispatching of one's own."""
        sid = args[0]
        with handling(sid):
            if event == "connect":
                environ, auth = args[1], args[2] if len(args) > 2 else None
                if _token_of(auth) is None:
                    return super().trigger_event(event, *args)
                environ[_BY_TOKEN] = True
                return _in_app_context(
                    environ["flask.app"], self._connect, sid, environ.get("HTTP_ORIGIN"), auth
                )
            environ = self.server.get_environ(sid, namespace=self.namespace)
            if environ is None:
                return None  # a connection this process has no record of
            if event == "disconnect":
                return _in_app_context(environ["flask.app"], self.on_disconnect, *args)
            if not environ.get(_BY_TOKEN):
                return super().trigger_event(event, *args)
            handler = getattr(self, f"on_{event}", None)
            if handler is None:
                return None  # an event the protocol does not have, ignored as Flask-SocketIO does
            return _in_app_context(environ["flask.app"], handler, *args[1:])

    def on_connect(self, auth: Any = None) -> bool:
        """A browser's connection, signed in (or not) by its session cookie."""
        return self._connect(current_sid(), request.headers.get("Origin"), auth)

    def _connect(self, sid: str, origin: str | None, auth: Any) -> bool:
        if not origin_allowed(origin):
            return False
        # The connection that told who is connecting goes back to the pool at once. A token
        # this process knows, or one read in another caller's group, opened no session here:
        # there is nothing to give back, and no session is made to say so.
        try:
            identity = _identify(auth)
        except Exception:
            db.session.rollback()
            raise
        if db.session.registry.has():
            db.session.commit()
        if identity is None:
            return False
        user_id, credential_room = identity
        if user_id is not None and credential_room is not None:
            remember_user(sid, user_id)
            self.enter_room(sid, user_room(user_id))
            self.enter_room(sid, credential_room)
        return True

    def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """The stays end. Called by `trigger_event` with the sid first, as python-socketio
        calls a namespace's handlers; runs inside a logout's request too, so it leaves the
        session open."""
        try:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            presence.end(db.session, sid, now(), app=app)
        finally:
            forget_connection(sid)

    @live_event
    def on_join(self, payload: Any) -> Ack:
        """The room's state in as few round trips as it takes, none of them in a transaction,
        and no write before the acknowledgement: the room's published facts come from this
        process's copy, read where it is (`room_to_read`), the stay is written by the next
        flush (`presence.arrive`)."""
        slug = require_str(require_object(payload), "session", max_length=80)
        state, session_id, user_id, instant = _read_room_state(slug)
        presence.arrive(
            current_app._get_current_object(),  # type: ignore[attr-defined]
            db.session,
            session_id,
            user_id,
            current_sid(),
            instant,
        )
        return ok(state=state)

    @live_event
    def on_leave(self, payload: Any) -> Ack:
        festival_session = _session_from(payload)
        authorise(PUBLIC)
        sid = current_sid()
        leave_room(session_room(festival_session.id), sid=sid, namespace=NAMESPACE)
        leave_room(hosts_room(festival_session.id), sid=sid, namespace=NAMESPACE)
        presence.end(
            db.session,
            sid,
            now(),
            session_id=festival_session.id,
            app=current_app._get_current_object(),  # type: ignore[attr-defined]
        )
        return ok()
