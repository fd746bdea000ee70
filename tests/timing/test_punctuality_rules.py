"""Punctuality from evidence: the pure rules, no app.

A session's start is the host's: a move that starts the first item, else the host's arrival in
the room (never later than their first move), else the start the first move implies. Without
any of these there is no record; before the scheduled end there is no verdict at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networkfest.timing.rules import (
    Move,
    PlannedItem,
    Slot,
    Stay,
    Verdict,
    actual_start,
    host_arrival,
    punctuality,
)

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
SLOT = Slot(START, START + timedelta(minutes=45))  # lobby opens 10 minutes before
AGENDA = [PlannedItem("Welcome", 5), PlannedItem("Bingo", 25), PlannedItem("Questions", 15)]
END = SLOT.ends_at


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def figures(report: object) -> tuple[object, ...]:
    return (
        report.verdict,  # type: ignore[attr-defined]
        report.started_late_s,  # type: ignore[attr-defined]
        report.overran_items,  # type: ignore[attr-defined]
        report.ended_on_time,  # type: ignore[attr-defined]
    )


# The five cases ------------------------------------------------------------------------------


def test_on_time_the_host_was_in_the_lobby_and_kept_the_timeboxes() -> None:
    moves = [Move(1, at(4.5)), Move(2, at(29))]
    report = punctuality(SLOT, AGENDA, moves, host_arrived_at=at(-3), at=END)
    assert figures(report) == (Verdict.RECORDED, 0, 0, True)
    assert report.started_at == START and report.judged


def test_late_start_the_host_came_six_minutes_late() -> None:
    report = punctuality(SLOT, AGENDA, [], host_arrived_at=at(6), at=END)
    # The run sheet laid from the real start cannot fit before the hard stop.
    assert figures(report) == (Verdict.RECORDED, 360, 0, False)
    assert report.started_at == at(6) == report.first_item_started_at


def test_never_started_no_host_and_no_move_is_no_record_never_on_time() -> None:
    report = punctuality(SLOT, AGENDA, [], host_arrived_at=None, at=at(90))
    assert figures(report) == (Verdict.NO_RECORD, None, None, None)
    assert not report.judged and report.items == () and report.started_at is None


def test_host_never_came_their_stays_outside_the_room_hours_are_no_evidence() -> None:
    stays = [
        Stay(at(-120), at(-60)),  # looked in long before the lobby opened
        Stay(at(45), at(50)),  # came after the end
    ]
    assert host_arrival(SLOT, stays) is None
    report = punctuality(SLOT, AGENDA, [], host_arrived_at=host_arrival(SLOT, stays), at=at(90))
    assert figures(report) == (Verdict.NO_RECORD, None, None, None)


@pytest.mark.parametrize("instant", [at(-60), at(-5), at(10), at(44.99)])
def test_not_yet_run_has_no_verdict_whatever_the_evidence(instant: datetime) -> None:
    report = punctuality(SLOT, AGENDA, [Move(1, at(4))], host_arrived_at=at(-2), at=instant)
    assert figures(report) == (Verdict.NOT_YET, None, None, None)
    assert report.items == ()


def test_the_verdict_comes_at_the_scheduled_end() -> None:
    report = punctuality(SLOT, AGENDA, [], host_arrived_at=at(-2), at=END)
    assert report.verdict == Verdict.RECORDED


# The evidence --------------------------------------------------------------------------------


def test_a_move_that_starts_the_first_item_is_the_start() -> None:
    # In the lobby early, but the host said "we start now" at minute 3.
    assert actual_start(SLOT, AGENDA, [Move(0, at(3))], at(-8)) == at(3)


def test_arriving_early_is_not_starting_early() -> None:
    assert actual_start(SLOT, AGENDA, [], at(-8)) == START


def test_the_arrival_is_the_start_no_later_than_the_first_move() -> None:
    assert actual_start(SLOT, AGENDA, [Move(1, at(11))], at(7)) == at(7)
    # A host who moved (say, from the API) before their browser joined the room.
    assert actual_start(SLOT, AGENDA, [Move(2, at(8))], at(12)) == at(8)


def test_without_an_arrival_the_first_move_dates_the_start() -> None:
    # Item 1 started at minute 9 after a 5-minute item: the session started by minute 4.
    assert actual_start(SLOT, AGENDA, [Move(1, at(9)), Move(2, at(40))], None) == at(4)
    # Moving on early says nothing earlier than the scheduled start.
    assert actual_start(SLOT, AGENDA, [Move(1, at(3))], None) == START


def test_moves_outside_the_slot_are_no_evidence() -> None:
    assert actual_start(SLOT, AGENDA, [Move(1, at(50)), Move(7, at(10))], None) is None


def test_an_empty_agenda_starts_when_the_host_came() -> None:
    report = punctuality(SLOT, [], [], host_arrived_at=at(2), at=END)
    assert figures(report) == (Verdict.RECORDED, 120, 0, True)
    assert report.first_item_started_at is None


def test_the_first_stay_in_the_open_room_is_the_arrival() -> None:
    stays = [
        Stay(at(-30), None),  # joined before the lobby and stayed: counts from the lobby
        Stay(at(2), at(40)),
    ]
    assert host_arrival(SLOT, stays) == SLOT.lobby_opens_at
    assert host_arrival(SLOT, [Stay(at(3), at(4)), Stay(at(1), at(2))]) == at(1)


# Overruns, from the run sheet laid from the real start ----------------------------------------


def test_a_late_start_is_not_counted_again_as_an_overrun_of_the_first_item() -> None:
    # Seven minutes late, then item 0 kept its five minutes.
    report = punctuality(SLOT, AGENDA, [Move(1, at(12))], host_arrived_at=at(7), at=END)
    assert report.started_late_s == 420
    assert report.items[0].actual_s == 300 and report.items[0].overrun_s == 0
    assert report.ended_on_time is False


def test_an_item_that_runs_over_is_an_overrun() -> None:
    moves = [Move(1, at(4.5)), Move(2, at(36))]  # Bingo ran 31.5 minutes of 25
    report = punctuality(SLOT, AGENDA, moves, host_arrived_at=at(-1), at=END)
    assert figures(report) == (Verdict.RECORDED, 0, 1, False)
    assert report.items[1].overrun_s == 390


def test_the_last_item_filling_the_time_left_is_not_an_overrun() -> None:
    moves = [Move(1, at(4)), Move(2, at(27))]  # early: Questions has 18 minutes to the end
    report = punctuality(SLOT, AGENDA, moves, host_arrived_at=at(-1), at=END)
    assert report.items[2].actual_s == 18 * 60 and report.items[2].overrun_s == 0
    assert figures(report) == (Verdict.RECORDED, 0, 0, True)
