"""The job runner: one background task per process that runs the slices' jobs on time.

Slices register their jobs at start-up (`register`): the clock's announcements (`timing`),
reminders (`notifications`). Each round runs every job with the current instant; a job
does what is due and says when it next falls due. The runner then waits until the earliest
of those (capped), woken early when the programme changes or the test clock moves:
`wake(app)`. Exactly-once across processes is each job's claim in the database, not the
runner's. A job that fails is rolled back and logged; the others still run, and the
runner tries again soon.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app

from networkfest import signals
from networkfest.clock import Clock
from networkfest.extensions import db, socketio

log = logging.getLogger(__name__)

MAX_WAIT = timedelta(seconds=30)
# After a failure (database down), try again soon without spinning.
RETRY_WAIT = timedelta(seconds=5)
# Timers may fire a hair early; waking just after the instant avoids a second round for it.
SETTLE = timedelta(milliseconds=20)
WAKE_KEY = "networkfest.wake_jobs"
JOBS_KEY = "networkfest.jobs"
ROUND_LOCK_KEY = "networkfest.job_round"

# Runs inside an app context with the round's instant; returns when it next falls due.
Job = Callable[[datetime], datetime | None]


def register(app: Flask, name: str, job: Job) -> None:
    app.extensions.setdefault(JOBS_KEY, {})[name] = job


def tick(app: Flask, clock: Clock) -> timedelta:
    """One round: run every job at the current instant; return how long to wait. Rounds in
    one process never overlap, so a round that returns has seen every earlier one finish."""
    upcoming: list[datetime] = []
    failed = False
    with app.extensions.setdefault(ROUND_LOCK_KEY, threading.Lock()), app.app_context():
        try:
            now = clock.now()
            for name, job in app.extensions.get(JOBS_KEY, {}).items():
                try:
                    due = job(now)
                except Exception:
                    db.session.rollback()
                    log.exception("the %s job failed; retrying", name)
                    failed = True
                    continue
                if due is not None:
                    upcoming.append(due)
        finally:
            db.session.remove()
    wait = wait_for(min(upcoming, default=None), clock.now())
    return min(wait, RETRY_WAIT) if failed else wait


def wait_for(upcoming: datetime | None, now: datetime) -> timedelta:
    """Until the next due instant, never below zero, never above the cap."""
    if upcoming is None:
        return MAX_WAIT
    return min(max(upcoming - now, timedelta(0)) + SETTLE, MAX_WAIT)


def wake(app: Flask) -> None:
    """Run a round now (the programme or the test clock moved); nothing before the runner runs."""
    waker = app.extensions.get(WAKE_KEY)
    if waker is not None:
        waker()


def init_app(app: Flask) -> None:
    """Arm the runner when `TICKER` is on (unit tests leave it off and call `tick` themselves).

    It starts with the first request the process serves, not here: CLI commands
    (`db upgrade`, `schedule publish`) build the app too and must not run it, and a
    server that forks after building the app would lose a thread started in the parent.
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
    def _start_jobs() -> None:
        if started:
            return
        with lock:
            if not started:
                started.append(True)
                socketio.start_background_task(run)


def _wake_on_publish(sender: str, **kwargs: Any) -> None:
    wake(current_app._get_current_object())  # type: ignore[attr-defined]


def connect() -> None:
    """A new programme may move the next moment of the clock: run a round at once."""
    signals.programme_published.connect(_wake_on_publish)
