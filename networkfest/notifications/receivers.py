"""How notifications react to the slices below them: changes, promotions, hard stops."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from networkfest import signals
from networkfest.extensions import db, socketio
from networkfest.notifications import changes as change_notices
from networkfest.notifications import feedback_requests, notices
from networkfest.programme.changes import Change
from networkfest.programme.models import Festival, FestivalSession
from networkfest.realtime import emit

log = logging.getLogger(__name__)


def emit_notice(payload: dict[str, Any], user_id: int) -> None:
    emit.to_user("notice", payload, user_id)


def tell_about_changes(
    sender: str,
    *,
    festival_id: int,
    version: int,
    changes: list[Change],
    now: datetime,
    **kwargs: Any,
) -> None:
    """Notices for moved, retitled, cancelled and restored sessions (the feeds already show
    them)."""
    festival = db.session.get(Festival, festival_id)
    if festival is not None:
        change_notices.notify_changes(db.session, festival, changes, version, now)


def tell_promoted(sender: str, *, session_id: int, user_id: int, now: datetime, **kw: Any) -> None:
    notices.tell_promoted(db.session, session_id, user_id, now, emit_notice)


def ask_for_feedback(sender: str, *, session_id: int, now: datetime, **kwargs: Any) -> None:
    """Its own task: one mail per attendee must not hold up the clock's next announcements."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_ask_for_feedback, app, session_id, now)


def _ask_for_feedback(app: Flask, session_id: int, now: datetime) -> None:
    with app.app_context():
        try:
            festival_session = db.session.get(FestivalSession, session_id)
            if festival_session is not None:
                feedback_requests.send_feedback_requests(db.session, festival_session, now)
        except Exception:
            db.session.rollback()
            log.exception("feedback requests for session %s failed", session_id)
        finally:
            db.session.remove()


def connect() -> None:
    signals.programme_published.connect(tell_about_changes)
    signals.place_promoted.connect(tell_promoted)
    signals.session_ended.connect(ask_for_feedback)
