"""Pure rules: when a reminder is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from networkfest.notifications.rules import reminder_due


def test_reminder_due_only_in_the_minutes_before_the_start():
    start = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
    assert not reminder_due(start, start - timedelta(minutes=16), 15)
    assert reminder_due(start, start - timedelta(minutes=15), 15)
    assert reminder_due(start, start - timedelta(seconds=1), 15)
    assert not reminder_due(start, start, 15)
