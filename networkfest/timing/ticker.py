"""The ticker: one background task per process that announces the clock's moments on time.

It claims and emits what is due (`services.announce_due`), then waits until the next
due instant (capped), woken early when the schedule changes or the test clock moves:
`app.extensions["networkfest.wake_ticker"]()` wakes it. Cheap when nothing is due: one
read per wake. Exactly-once across processes is the database's job, not the ticker's.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from networkfest.clock import Clock
from networkfest.extensions import db, socketio
from networkfest.insights import services as insights
from networkfest.live import emit
from networkfest.programme.models import FestivalSession
from networkfest.timing import services

log = logging.getLogger(__name__)

MAX_WAIT = timedelta(seconds=30)
# After a failure (database down), try again soon without spinning.
RETRY_WAIT = timedelta(seconds=5)
# Timers may fire a hair early; waking just after the instant avoids a second round for it.
SETTLE = timedelta(milliseconds=20)
WAKE_KEY = "networkfest.wake_ticker"


def emit_clock(session_id: int, state: dict[str, Any]) -> None:
    emit.to_session("clock", state, session_id)


def tick(app: Flask, clock: Clock, emitter: services.Emit = emit_clock) -> timedelta:
    """One round: announce what is due now; return how long to wait before the next round."""
    with app.app_context():
        try:
            now = clock.now()
            announced = services.announce_due(db.session, now, emitter)
            upcoming = services.next_due_instant(db.session, now)
            reminder_due = _remind_and_ask_for_feedback(app, announced, now)
            if reminder_due is not None and (upcoming is None or reminder_due < upcoming):
                upcoming = reminder_due
        except Exception:
            db.session.rollback()
            log.exception("the clock ticker failed; retrying")
            return RETRY_WAIT
        finally:
            db.session.remove()
    return wait_for(upcoming, clock.now())


def _remind_and_ask_for_feedback(
    app: Flask, announced: list[services.Announced], now: datetime
) -> datetime | None:
    """The ticker's other once-per-cluster jobs; returns when reminders next fall due.

    Reminders are claimed per person in the database, so every process may try them; the
    feedback request follows the `phase:ended` announcement that this process won.
    """
    minutes = app.config["REMINDER_MINUTES"]
    insights.send_due_reminders(db.session, now, emit_notice, minutes)
    for item in announced:
        if item.kind == "phase:ended":
            # Its own task: one mail per attendee must not hold up the next announcements.
            socketio.start_background_task(_ask_for_feedback, app, item.session_id, now)
    return insights.next_reminder_due(db.session, now, minutes)


def _ask_for_feedback(app: Flask, session_id: int, now: datetime) -> None:
    with app.app_context():
        try:
            festival_session = db.session.get(FestivalSession, session_id)
            if festival_session is not None:
                insights.send_feedback_requests(db.session, festival_session, now)
        except Exception:
            db.session.rollback()
            log.exception("feedback requests for session %s failed", session_id)
        finally:
            db.session.remove()


def emit_notice(payload: dict[str, Any], user_id: int) -> None:
    emit.to_user("notice", payload, user_id)


def wait_for(upcoming: datetime | None, now: datetime) -> timedelta:
    """Until the next due instant, never below zero, never above the cap."""
    if upcoming is None:
        return MAX_WAIT
    return min(max(upcoming - now, timedelta(0)) + SETTLE, MAX_WAIT)


def init_app(app: Flask) -> None:
    """Arm the ticker when `TICKER` is on (unit tests leave it off and call `tick` themselves).

    It starts with the first request the process serves, not here: CLI commands
    (`db upgrade`, `schedule publish`) build the app too and must not run it, and a
    server that forks after building the app would lose a thread started in the parent.
    The wake function works from the start; before the ticker runs it has nothing to wake.
    """
    if not app.config.get("TICKER"):
        return
    wake_event = socketio.server.eio.create_event()
    app.extensions[WAKE_KEY] = wake_event.set
    clock: Clock = app.extensions["networkfest.clock"]
    lock = threading.Lock()
    started: list[bool] = []

    def run() -> None:
        while True:
            wait = tick(app, clock)
            wake_event.wait(timeout=wait.total_seconds())
            wake_event.clear()

    @app.before_request
    def _start_ticker() -> None:
        if started:
            return
        with lock:
            if not started:
                started.append(True)
                socketio.start_background_task(run)
