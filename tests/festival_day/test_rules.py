"""Festival day's pure rules: the festival's phase, live now, next up, a person's next session,
the programme's marks and where "Jump to now" lands. No app, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from networkfest.festival_day.rules import (
    FestivalPhase,
    Listed,
    Mark,
    festival_phase,
    first_session,
    live_now,
    mark,
    next_for_person,
    next_up,
    now_anchor,
    phase_changes,
    stretch,
)
from networkfest.timing.rules import ClockSettings, Phase, Slot

DAY_ONE = datetime(2026, 9, 20, 23, 0, tzinfo=UTC)  # midnight BST, Monday 21 September
AFTER_LAST_DAY = DAY_ONE + timedelta(days=5)
NINE = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
LOBBY = timedelta(minutes=10)


def listed(key: int, starts_at: datetime, minutes: int = 45, *, cancelled: bool = False) -> Listed:
    slot = Slot(starts_at, starts_at + timedelta(minutes=minutes), ClockSettings(lobby=LOBBY))
    return Listed(key, slot, cancelled)


def keys(sessions: list[Listed]) -> list[int]:
    return [s.key for s in sessions]


# The festival's phase ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (DAY_ONE - timedelta(days=20), FestivalPhase.BEFORE),
        (DAY_ONE - timedelta(seconds=1), FestivalPhase.BEFORE),
        (DAY_ONE, FestivalPhase.DURING),
        (NINE - timedelta(hours=2), FestivalPhase.DURING),  # day one, before the first session
        (NINE + timedelta(days=1, minutes=44), FestivalPhase.DURING),  # the last is live
        (NINE + timedelta(days=1, minutes=45), FestivalPhase.AFTER),  # the last has ended
        (AFTER_LAST_DAY + timedelta(days=30), FestivalPhase.AFTER),
    ],
)
def test_festival_phase_follows_the_days_and_the_last_session(at, phase) -> None:
    sessions = [listed(1, NINE), listed(2, NINE + timedelta(days=1))]
    assert festival_phase(DAY_ONE, AFTER_LAST_DAY, sessions, at) == phase


def test_a_lobby_opening_before_the_first_day_starts_the_festival() -> None:
    early = listed(1, DAY_ONE + timedelta(minutes=5))  # lobby opens 5 minutes before day one
    at = DAY_ONE - timedelta(minutes=5)
    assert festival_phase(DAY_ONE, AFTER_LAST_DAY, [early], at) == FestivalPhase.DURING
    assert festival_phase(DAY_ONE, AFTER_LAST_DAY, [early], at - timedelta(seconds=1)) == (
        FestivalPhase.BEFORE
    )


def test_without_sessions_taking_place_the_days_decide() -> None:
    cancelled = [listed(1, NINE, cancelled=True)]
    for sessions in ([], cancelled):
        assert festival_phase(DAY_ONE, AFTER_LAST_DAY, sessions, NINE + timedelta(days=2)) == (
            FestivalPhase.DURING
        )
        assert festival_phase(DAY_ONE, AFTER_LAST_DAY, sessions, AFTER_LAST_DAY) == (
            FestivalPhase.AFTER
        )


def test_a_cancelled_last_session_does_not_keep_the_festival_going() -> None:
    sessions = [listed(1, NINE), listed(2, NINE + timedelta(days=3), cancelled=True)]
    after_first = NINE + timedelta(hours=1)
    assert festival_phase(DAY_ONE, AFTER_LAST_DAY, sessions, after_first) == FestivalPhase.AFTER


# Live now, next up, first ----------------------------------------------------------------


def programme() -> list[Listed]:
    return [
        listed(1, NINE),
        listed(2, NINE + timedelta(minutes=30)),
        listed(3, NINE + timedelta(minutes=30), cancelled=True),
        listed(4, NINE + timedelta(hours=1)),
        listed(5, NINE + timedelta(hours=1)),
        listed(6, NINE + timedelta(hours=2)),
        listed(7, NINE + timedelta(days=1)),
    ]


def test_live_now_is_every_live_session_and_no_other() -> None:
    sessions = programme()
    assert keys(live_now(sessions, NINE - timedelta(minutes=1))) == []  # lobby is not live
    assert keys(live_now(sessions, NINE)) == [1]
    assert keys(live_now(sessions, NINE + timedelta(minutes=40))) == [1, 2]  # not cancelled 3
    assert keys(live_now(sessions, NINE + timedelta(minutes=45))) == [2]  # 1 ended on the dot


def test_live_now_is_in_start_order_whatever_order_it_is_given() -> None:
    at = NINE + timedelta(minutes=40)
    assert keys(live_now(list(reversed(programme())), at)) == [1, 2]


def test_next_up_lists_at_least_three_and_keeps_parallel_sessions_together() -> None:
    sessions = programme()
    # 2 is next, then 4 and 5 start together: all of them, and not 6.
    assert keys(next_up(sessions, NINE + timedelta(minutes=10))) == [2, 4, 5]
    # Before anything: 1, 2 and then both of the 10:00 pair (four, not three).
    assert keys(next_up(sessions, NINE - timedelta(hours=1))) == [1, 2, 4, 5]
    assert keys(next_up(sessions, NINE + timedelta(hours=1, minutes=1))) == [6, 7]
    assert keys(next_up(sessions, NINE + timedelta(days=2))) == []


def test_next_up_includes_a_session_whose_lobby_is_open_but_not_a_live_one() -> None:
    sessions = programme()
    at = NINE + timedelta(minutes=25)  # 2's lobby is open, 1 is live
    assert keys(next_up(sessions, at, at_least=1)) == [2]


def test_first_session_skips_cancelled_ones() -> None:
    sessions = [listed(1, NINE, cancelled=True), listed(2, NINE + timedelta(hours=1))]
    first = first_session(sessions)
    assert first is not None and first.key == 2
    assert first_session([]) is None


# A person's next session ----------------------------------------------------------------


def test_next_for_person_is_their_first_session_not_yet_over() -> None:
    held = [listed(1, NINE), listed(4, NINE + timedelta(hours=1))]
    assert next_for_person(held, NINE - timedelta(hours=3)).key == 1
    assert next_for_person(held, NINE + timedelta(minutes=30)).key == 1  # live: where to be
    assert next_for_person(held, NINE + timedelta(minutes=45)).key == 4
    assert next_for_person(held, NINE + timedelta(hours=2)) is None


def test_next_for_person_skips_cancelled_sessions() -> None:
    held = [listed(1, NINE, cancelled=True), listed(4, NINE + timedelta(hours=1))]
    assert next_for_person(held, NINE - timedelta(hours=1)).key == 4
    assert next_for_person([], NINE) is None


# Marks and "Jump to now" ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (Phase.SCHEDULED, None),
        (Phase.LOBBY, Mark.STARTING_SOON),
        (Phase.LIVE, Mark.LIVE),
        (Phase.ENDED, Mark.ENDED),
    ],
)
def test_marks_follow_timings_phase(phase, expected) -> None:
    assert mark(phase, cancelled=False) == expected
    assert mark(phase, cancelled=True) is None


def test_the_mark_changes_exactly_at_timings_boundaries() -> None:
    session = listed(1, NINE)
    assert mark(session.phase(NINE - LOBBY - timedelta(microseconds=1)), False) is None
    assert mark(session.phase(NINE - LOBBY), False) == Mark.STARTING_SOON
    assert mark(session.phase(NINE), False) == Mark.LIVE
    assert mark(session.phase(NINE + timedelta(minutes=45)), False) == Mark.ENDED


def test_now_anchor_lands_on_the_first_session_not_yet_over() -> None:
    sessions = programme()
    assert now_anchor(sessions, NINE - timedelta(hours=1)) is None  # nothing has begun
    assert now_anchor(sessions, NINE - timedelta(minutes=5)) == 1  # its lobby is open
    assert now_anchor(sessions, NINE + timedelta(minutes=40)) == 1  # live
    assert now_anchor(sessions, NINE + timedelta(minutes=50)) == 2
    assert now_anchor(sessions, NINE + timedelta(hours=3)) == 7  # tomorrow's, after today's
    assert now_anchor(sessions, NINE + timedelta(days=2)) is None  # all over


def test_the_marks_change_only_where_a_phase_does() -> None:
    settings = ClockSettings(lobby=LOBBY)
    first = Slot(NINE, NINE + timedelta(minutes=45), settings)
    second = Slot(NINE + timedelta(minutes=45), NINE + timedelta(minutes=90), settings)
    changes = phase_changes([first, second, first])
    assert changes == (
        NINE - LOBBY,
        NINE,
        NINE + timedelta(minutes=35),
        NINE + timedelta(minutes=45),
        NINE + timedelta(minutes=90),
    )
    instants = [NINE - LOBBY - timedelta(seconds=1) + timedelta(minutes=m) for m in range(110)]
    for earlier, later in pairwise(instants):
        same_stretch = stretch(changes, earlier) == stretch(changes, later)
        same_phases = [s.phase(earlier) for s in (first, second)] == [
            s.phase(later) for s in (first, second)
        ]
        assert same_stretch == same_phases, (earlier, later)
    # A change belongs to the stretch after it, as a boundary belongs to the later phase.
    assert stretch(changes, NINE) == stretch(changes, NINE + timedelta(minutes=1)) == 2
