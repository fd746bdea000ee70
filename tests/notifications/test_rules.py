"""Pure rules: when a reminder is due, and how a change to a session is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from networkfest.notifications.rules import change_message, reminder_due
from networkfest.programme.changes import Change, ChangeKind


def test_reminder_due_only_in_the_minutes_before_the_start():
    start = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
    assert not reminder_due(start, start - timedelta(minutes=16), 15)
    assert reminder_due(start, start - timedelta(minutes=15), 15)
    assert reminder_due(start, start - timedelta(seconds=1), 15)
    assert not reminder_due(start, start, 15)


START = "Tuesday 8 December, 09:30 GMT"
LATER = "Tuesday 8 December, 10:15 GMT"
OLD = "Network strategy in ninety minutes"
NEW = "Network strategy in ninety minutes — now later"
RENAMED = Change(ChangeKind.RETITLED, NEW, "strategy", before=OLD, after=NEW)
MOVED = Change(ChangeKind.MOVED, NEW, "strategy", before_label=START, after_label=LATER)
RESTORED = Change(ChangeKind.RESTORED, OLD, "strategy")


def said(*changes: Change, title: str = OLD, starts: str = START, cancelled: bool = False) -> str:
    return change_message(
        changes, title=title, starts=starts, ends="11:00 GMT", cancelled=cancelled
    )


def test_a_rename_and_a_move_name_the_old_title_the_new_once_and_both_times():
    assert said(RENAMED, MOVED, title=NEW, starts=LATER) == (
        f"“{OLD}” is now called “{NEW}” and has moved from {START} to {LATER}."
    )
    assert said(RENAMED, title=NEW) == f"“{OLD}” is now called “{NEW}”."
    assert said(MOVED, starts=LATER) == f"“{OLD}” has moved from {START} to {LATER}."


def test_a_move_of_the_end_alone_says_the_new_end():
    longer = Change(ChangeKind.MOVED, OLD, "strategy", before_label=START, after_label=START)
    assert said(longer) == f"“{OLD}” now ends at 11:00 GMT."


def test_back_on_says_when_it_starts_and_that_the_registration_stands():
    kept = "Your registration is still in your agenda."
    assert said(RESTORED) == f"“{OLD}” is back on: it starts {START}. {kept}"
    assert said(RESTORED, MOVED, starts=LATER) == (
        f"“{OLD}” is back on and has moved from {START} to {LATER}. {kept}"
    )
    assert said(RESTORED, RENAMED, MOVED, title=NEW, starts=LATER) == (
        f"“{OLD}” is back on, is now called “{NEW}” and has moved from {START} to {LATER}. {kept}"
    )


def test_a_session_cancelled_now_is_said_to_be_cancelled_whatever_else_changed():
    cancelled = f"“{OLD}” has been cancelled. Your registration is kept in your agenda."
    assert said(Change(ChangeKind.CANCELLED, OLD, "strategy")) == cancelled
    assert said(RESTORED, cancelled=True) == cancelled
