"""Test-only routes, only with NETWORKFEST_TEST_CLOCK set: they drive a real server's clock."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, jsonify, request

from networkfest import jobs
from networkfest.clock import OffsetClock, from_epoch_ms, to_epoch_ms
from networkfest.extensions import csrf

bp = Blueprint("testing", __name__, url_prefix="/_test")
csrf.exempt(bp)


def _clock() -> OffsetClock:
    clock = current_app.extensions["networkfest.clock"]
    assert isinstance(clock, OffsetClock)
    return clock


@bp.post("/clock")
def set_clock() -> Response:
    """Body `{"now": epoch_ms}` sets the server's instant; `{"advance_ms": n}` moves it."""
    data = request.get_json(silent=True) or {}
    clock = _clock()
    if isinstance(data.get("now"), int):
        clock.set(from_epoch_ms(data["now"]))
    elif isinstance(data.get("advance_ms"), int):
        clock.advance(timedelta(milliseconds=data["advance_ms"]))
    jobs.wake(current_app)
    return jsonify({"now": to_epoch_ms(clock.now())})


@bp.post("/jobs")
def run_jobs() -> Response:
    """One round of every job at the server's instant, answered when it is over: whatever
    was due (a mail, an announcement) has been done, here or by the runner's own round."""
    jobs.tick(current_app._get_current_object(), _clock())  # type: ignore[attr-defined]
    return jsonify({"now": to_epoch_ms(_clock().now())})
