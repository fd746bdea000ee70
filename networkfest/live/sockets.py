"""The `/live` namespace: connect, join, leave, disconnect; the mixins add the room's events
(Q&A, polls and the clock here; the app factory adds those of the slices above `live`).

Connections are accepted only from the allowed origins, signed in by the session cookie or a
personal token in the auth payload, or anonymous (watch only). Signed-in connections join
their person's room so notices, reminders and a logout reach every open page.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from networkfest.accounts.auth import user_for_token
from networkfest.authz import PUBLIC, authorise
from networkfest.context import now
from networkfest.extensions import db
from networkfest.live import presence
from networkfest.polls import services as polls
from networkfest.polls.sockets import PollEvents
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import room_by_slug
from networkfest.qa import services as qa
from networkfest.qa.sockets import QuestionEvents
from networkfest.realtime.protocol import (
    Ack,
    ProtocolError,
    forget_connection,
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
from networkfest.timing.services import clock_state
from networkfest.timing.sockets import ClockEvents


def origin_allowed(origin: str | None) -> bool:
    """No Origin header (non-browser clients) is allowed; a browser's must be ours."""
    return origin is None or origin.rstrip("/") in allowed_origins(current_app)


def _session_from(payload: Any, *, run_sheet: bool) -> FestivalSession:
    slug = require_str(require_object(payload), "session", max_length=80)
    festival_session = room_by_slug(db.session, slug, run_sheet=run_sheet)
    if festival_session is None:
        raise ProtocolError("not_found", "There is no session with that name.")
    return festival_session


class LiveNamespace(QuestionEvents, PollEvents, ClockEvents, Namespace):
    def on_connect(self, auth: Any = None) -> bool:
        if not origin_allowed(request.headers.get("Origin")):
            return False
        user_id: int | None = None
        # The room of what this connection was opened with: ending that closes it.
        credential_room: str | None = None
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is not None:
            user = user_for_token(token) if isinstance(token, str) else None
            if user is None or user.api_token_id is None:
                return False
            user_id, credential_room = user.id, token_room(user.api_token_id)
        else:
            # Load the person from this handshake's own session cookie, never from a
            # user object an earlier request left in `g`.
            g.pop("_login_user", None)
            if current_user.is_authenticated and current_user.sign_in_id is not None:
                user_id = current_user.id
                credential_room = sign_in_room(current_user.sign_in_id)
        if user_id is not None and credential_room is not None:
            sid: str = request.sid  # type: ignore[attr-defined]
            remember_user(sid, user_id)
            join_room(user_room(user_id))
            join_room(credential_room)
        return True

    def on_disconnect(self, reason: Any = None) -> None:
        """The stays end; runs inside a logout's request too, so it leaves the session open."""
        sid: str = request.sid  # type: ignore[attr-defined]
        try:
            presence.end(db.session, sid, now())
        finally:
            forget_connection(sid)

    @live_event
    def on_join(self, payload: Any) -> Ack:
        festival_session = _session_from(payload, run_sheet=True)
        user = authorise(PUBLIC)
        viewer = qa.viewer_for(db.session, festival_session, user)
        instant = now()
        join_room(session_room(festival_session.id))
        if viewer.moderator:
            join_room(hosts_room(festival_session.id))
        state = {
            "clock": clock_state(db.session, festival_session, instant),
            "questions": qa.snapshot(db.session, festival_session, viewer),
            "my_votes": qa.my_votes(db.session, festival_session, viewer.user_id),
            "polls": polls.session_polls(db.session, festival_session, viewer),
            "my_choices": polls.my_choices(db.session, festival_session, viewer.user_id),
        }
        # Last: its commit would expire what the snapshot above has just loaded.
        presence.start(
            db.session,
            festival_session.id,
            viewer.user_id,
            request.sid,  # type: ignore[attr-defined]
            instant,
        )
        return ok(state=state)

    @live_event
    def on_leave(self, payload: Any) -> Ack:
        festival_session = _session_from(payload, run_sheet=False)
        authorise(PUBLIC)
        leave_room(session_room(festival_session.id))
        leave_room(hosts_room(festival_session.id))
        presence.end(
            db.session,
            request.sid,  # type: ignore[attr-defined]
            now(),
            session_id=festival_session.id,
        )
        return ok()
