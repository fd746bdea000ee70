"""The job runner's round and its wait, with an injected clock and no threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from networkfest import create_app, jobs
from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.timing import jobs as timing_jobs

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_tick_announces_and_says_how_long_to_wait(
    app: Flask, factory: Any, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = factory.session(factory.festival(), starts_at=START, minutes=45, agenda=[])
    sent: list[tuple[int, dict[str, Any]]] = []
    monkeypatch.setattr(timing_jobs, "emit_clock", lambda sid, payload: sent.append((sid, payload)))
    clock.set(at(-10) - timedelta(seconds=7))
    wait = jobs.tick(app, clock)
    assert sent == [] and wait == timedelta(seconds=7) + jobs.SETTLE
    clock.set(at(-10))
    assert jobs.tick(app, clock) == jobs.MAX_WAIT
    assert [(sid, p["phase"]) for sid, p in sent] == [(session.id, "lobby")]


def test_wait_is_capped_and_never_negative() -> None:
    assert jobs.wait_for(None, START) == jobs.MAX_WAIT
    assert jobs.wait_for(START + timedelta(hours=2), START) == jobs.MAX_WAIT
    assert jobs.wait_for(START - timedelta(seconds=1), START) == jobs.SETTLE


def test_tick_survives_a_broken_database(
    app: Flask, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(timing_jobs.services, "announce_due", broken)
    assert jobs.tick(app, clock) == jobs.RETRY_WAIT


def test_the_runner_starts_once_with_the_first_request(
    app_settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(
        jobs.socketio, "start_background_task", lambda target: started.append(target)
    )
    app = create_app({**app_settings, "TICKER": True})
    assert started == []  # CLI commands build the app too: no runner for them
    app.extensions[jobs.WAKE_KEY]()
    client = app.test_client()
    client.get("/healthz")
    client.get("/healthz")
    assert len(started) == 1
    with app.app_context():
        db.engine.dispose()


def test_no_runner_when_turned_off(app: Flask) -> None:
    assert jobs.WAKE_KEY not in app.extensions
