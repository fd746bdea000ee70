"""When reminders fall due and which programme changes people hear about.

Pure: no Flask, no database, time passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from networkfest.programme.changes import ChangeKind

DEFAULT_REMINDER_MINUTES = 15
# Schedule changes that everyone registered hears about (moves, retitles, cancels).
NOTIFIED_CHANGES = (ChangeKind.MOVED, ChangeKind.RETITLED, ChangeKind.CANCELLED)


def reminder_due(starts_at: datetime, now: datetime, minutes: int) -> bool:
    """A reminder goes out in the `minutes` before the start; never once the session has begun."""
    return now < starts_at <= now + timedelta(minutes=minutes)


def reminder_due_at(starts_at: datetime, minutes: int) -> datetime:
    return starts_at - timedelta(minutes=minutes)
