"""The pure Q&A rules: no app, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networkfest.qa import rules
from networkfest.qa.rules import Audience, QaError, Viewer, audiences

ATTENDEE = Viewer(user_id=1, confirmed=True)
WATCHER = Viewer(user_id=None)
STRANGER = Viewer(user_id=2)
HOST = Viewer(user_id=3, host=True)
ORGANISER = Viewer(user_id=4, organiser=True)


def code(call, *args):
    with pytest.raises(QaError) as caught:
        call(*args)
    return caught.value.code


def test_text_is_trimmed_and_bounded() -> None:
    assert rules.clean_text("  Why?  ") == "Why?"
    assert rules.clean_text("x" * 500) == "x" * 500
    assert code(rules.clean_text, "   ") == "invalid"
    assert code(rules.clean_text, 42) == "invalid"
    assert code(rules.clean_text, "x" * 501) == "too_long"
    assert rules.clean_text("  " + "y" * 500 + "\n") == "y" * 500


def test_modes_set_the_first_status() -> None:
    assert rules.initial_status("moderated") == "pending"
    assert rules.initial_status("open") == "visible"
    assert code(rules.initial_status, "off") == "qa_off"


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [(WATCHER, "unauthenticated"), (STRANGER, "forbidden")],
)
def test_only_participants_ask_and_vote(viewer: Viewer, expected: str) -> None:
    assert code(rules.check_participant, viewer) == expected


@pytest.mark.parametrize("viewer", [ATTENDEE, HOST, ORGANISER])
def test_participants(viewer: Viewer) -> None:
    rules.check_participant(viewer)
    assert viewer.participant


def test_only_live_sessions_take_questions() -> None:
    rules.check_live("live")
    for phase in ("scheduled", "lobby", "ended", "cancelled"):
        assert code(rules.check_live, phase) == "not_live"


def test_rate_limit_is_three_a_minute() -> None:
    rules.check_rate(2)
    assert code(rules.check_rate, 3) == "rate_limited"
    now = datetime(2026, 9, 21, 9, 10, tzinfo=UTC)
    assert rules.rate_window_start(now) == now - timedelta(minutes=1)


def test_visibility() -> None:
    for status in ("visible", "answered"):
        assert rules.can_see(status, WATCHER, author_id=1)
    assert not rules.can_see("pending", WATCHER, author_id=None)
    assert not rules.can_see("pending", STRANGER, author_id=1)
    assert rules.can_see("pending", ATTENDEE, author_id=1)
    assert not rules.can_see("hidden", ATTENDEE, author_id=1)
    assert rules.can_see("hidden", HOST, author_id=1)
    assert rules.can_see("pending", ORGANISER, author_id=1)


def test_vote_values() -> None:
    assert rules.check_vote_value(1) is True
    assert rules.check_vote_value(0) is False
    assert code(rules.check_vote_value, 2) == "invalid"


def test_moderation_actions() -> None:
    assert rules.moderate("approve", "pending", False) == ("visible", False)
    assert rules.moderate("approve", "hidden", False) == ("visible", False)
    assert rules.moderate("answer", "visible", True) == ("answered", True)
    assert rules.moderate("hide", "visible", True) == ("hidden", False)
    assert rules.moderate("pin", "visible", False) == ("visible", True)
    assert rules.moderate("unpin", "answered", True) == ("answered", False)
    assert code(rules.moderate, "delete", "visible", False) == "invalid"


def test_order_pinned_then_votes_then_oldest() -> None:
    t = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
    items = [
        (1, False, 2, t),
        (2, False, 5, t + timedelta(seconds=5)),
        (3, True, 0, t + timedelta(seconds=9)),
        (4, False, 2, t - timedelta(seconds=1)),
    ]
    ordered = sorted(items, key=lambda i: rules.top_order(i[1], i[2], i[3], i[0]))
    assert [i[0] for i in ordered] == [3, 2, 4, 1]


@pytest.mark.parametrize(
    ("status", "asked_by_someone", "told"),
    [
        ("visible", True, [(Audience.ROOM, True)]),
        ("answered", False, [(Audience.ROOM, True)]),
        ("pending", True, [(Audience.HOSTS, True), (Audience.ASKER, True)]),
        ("pending", False, [(Audience.HOSTS, True)]),
        ("hidden", True, [(Audience.HOSTS, True), (Audience.ROOM, False)]),
    ],
)
def test_who_is_told_about_a_question(
    status: str, asked_by_someone: bool, told: list[tuple[Audience, bool]]
) -> None:
    assert audiences(status, asked_by_someone) == told
