"""The clock's job: announce each session's moments (lobby, start, warnings, end) on time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from networkfest import jobs, signals
from networkfest.extensions import db
from networkfest.realtime import emit
from networkfest.timing import services


def emit_clock(session_id: int, state: dict[str, Any]) -> None:
    emit.to_session("clock", state, session_id)


def announce(now: datetime) -> datetime | None:
    """Claim and emit what is due; the hard stops this process won are told to the others."""
    announced = services.announce_due(db.session, now, emit_clock)
    for item in announced:
        if item.kind == "phase:ended":
            signals.send(signals.session_ended, "timing", session_id=item.session_id, now=now)
    return services.next_due_instant(db.session, now)


def register(app: Flask) -> None:
    jobs.register(app, "clock announcements", announce)
