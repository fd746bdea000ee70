"""Signals are sent after the sender's commit: a failing receiver cannot lose the write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from networkfest import signals
from networkfest.extensions import db
from networkfest.programme.models import ScheduleVersion
from networkfest.programme.services import publish
from tests.programme.schedules import schedule, session

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def heard() -> Iterator[list[dict[str, Any]]]:
    """A failing receiver connected first, and a recording one after it."""
    calls: list[dict[str, Any]] = []

    def failing(sender: str, **kwargs: Any) -> None:
        db.session.add(ScheduleVersion())  # half-done work that must be rolled back
        raise RuntimeError("a receiver broke")

    def recording(sender: str, **kwargs: Any) -> None:
        calls.append({"sender": sender, **kwargs})

    signals.programme_published.connect(failing)
    signals.programme_published.connect(recording)
    yield calls
    signals.programme_published.disconnect(failing)
    signals.programme_published.disconnect(recording)


def test_a_failing_receiver_neither_loses_the_write_nor_stops_the_others(
    app: Any, heard: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    result = publish(db.session, schedule(session()), NOW)
    assert result.version == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ScheduleVersion)) == 1
    [call] = heard
    assert call["sender"] == "programme" and call["version"] == 1 and call["now"] == NOW
    assert [c.kind for c in call["changes"]] == ["added"]
    assert "a receiver of programme-published failed" in caplog.text


def test_receivers_see_the_committed_write_and_no_open_transaction(app: Any) -> None:
    seen: list[int] = []

    def count_versions(sender: str, **kwargs: Any) -> None:
        # A connection of its own sees only what is committed, and on SQLite it could not
        # begin while the sender still held a transaction (the write lock).
        with db.engine.connect() as connection:
            seen.append(connection.scalar(select(func.count()).select_from(ScheduleVersion)) or 0)

    signals.programme_published.connect(count_versions)
    try:
        publish(db.session, schedule(session()), NOW)
    finally:
        signals.programme_published.disconnect(count_versions)
    assert seen == [1]


def test_receivers_are_called_in_the_order_they_were_connected(app: Any) -> None:
    """Lower slices connect first, so a higher slice's receiver sees what theirs did."""
    called: list[int] = []

    def recorder(number: int) -> Callable[..., None]:
        def receive(sender: str, **kwargs: Any) -> None:
            called.append(number)

        return receive

    receivers = [recorder(number) for number in range(24)]
    for receiver in receivers:
        signals.programme_published.connect(receiver, weak=False)
    try:
        publish(db.session, schedule(session()), NOW)
    finally:
        for receiver in receivers:
            signals.programme_published.disconnect(receiver)
    assert called == list(range(24))
