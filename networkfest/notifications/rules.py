"""When reminders fall due, which programme changes people hear about, and how they are told.

Pure: no Flask, no database, time passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from networkfest.programme.changes import Change, ChangeKind

DEFAULT_REMINDER_MINUTES = 15
# Schedule changes that everyone registered hears about (moves, retitles, cancels, returns).
NOTIFIED_CHANGES = (
    ChangeKind.MOVED,
    ChangeKind.RETITLED,
    ChangeKind.CANCELLED,
    ChangeKind.RESTORED,
)
# Changes that make every earlier change notice of the session untrue or beside the point:
# "cancelled" once it is back on, "back on" once it is cancelled again.
STATUS_CHANGES = (ChangeKind.CANCELLED, ChangeKind.RESTORED)


def reminder_due(starts_at: datetime, now: datetime, minutes: int) -> bool:
    """A reminder goes out in the `minutes` before the start; never once the session has begun."""
    return now < starts_at <= now + timedelta(minutes=minutes)


def reminder_due_at(starts_at: datetime, minutes: int) -> datetime:
    return starts_at - timedelta(minutes=minutes)


def change_message(
    changes: Sequence[Change], *, title: str, starts: str, ends: str, cancelled: bool
) -> str:
    """One sentence about a session's changes in one version, for the people registered.

    It names the session as they knew it (its old title, if it was renamed), then says what
    happened to it, with the old and new start; `title`, `starts` (day and time) and `ends`
    (time) are the session as it now stands, in festival time with the zone.
    """
    if cancelled or any(change.kind is ChangeKind.CANCELLED for change in changes):
        return f"“{title}” has been cancelled. Your registration is kept in your agenda."
    kinds = {change.kind: change for change in changes}
    renamed = kinds.get(ChangeKind.RETITLED)
    moved = kinds.get(ChangeKind.MOVED)
    restored = ChangeKind.RESTORED in kinds
    clauses = []
    if restored:
        clauses.append("is back on")
    if renamed is not None:
        clauses.append(f"is now called “{title}”")
    start_said = False
    if moved is not None:
        clause, start_said = _moved(moved, starts, ends)
        clauses.append(clause)
    name = renamed.before if renamed is not None and renamed.before else title
    sentence = f"“{name}” {_and_list(clauses)}"
    if not restored:
        return f"{sentence}."
    if not start_said:
        sentence += f": it starts {starts}"
    return f"{sentence}. Your registration is still in your agenda."


def _moved(change: Change, starts: str, ends: str) -> tuple[str, bool]:
    """The clause for a move, and whether it gives the new start. A change recorded without
    labels says only the new start; one whose start stayed put, the new end."""
    if change.before_label is None:
        return f"has moved to {starts}", True
    if change.before_label == starts:
        return f"now ends at {ends}", False
    return f"has moved from {change.before_label} to {starts}", True


def _and_list(clauses: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(clauses) < 2:
        return "".join(clauses)
    return f"{', '.join(clauses[:-1])} and {clauses[-1]}"
