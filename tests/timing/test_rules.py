"""The session clock's rules at chosen instants: pure, no app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from networkfest.timing.rules import (
    ClockMoment,
    ClockSettings,
    Move,
    PlannedItem,
    Slot,
    announcements,
    latest_due,
    next_due,
    phase_at,
    punctuality,
    run_sheet,
    warning_at,
)

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)
MIN = timedelta(minutes=1)
SLOT = Slot(START, START + 45 * MIN)
AGENDA = [PlannedItem("Welcome", 5), PlannedItem("Bingo", 25), PlannedItem("Questions", 15)]


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def kinds(schedule: list[ClockMoment]) -> list[tuple[str, datetime]]:
    return [(a.kind, a.due_at) for a in schedule]


# Phases -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "phase"),
    [
        (START - 10 * MIN - MS, "scheduled"),
        (START - 10 * MIN, "lobby"),
        (START - MS, "lobby"),
        (START, "live"),
        (START + 45 * MIN - MS, "live"),
        (START + 45 * MIN, "ended"),
        (START + 300 * MIN, "ended"),
        (START - 3 * 24 * 60 * MIN, "scheduled"),
    ],
)
def test_phase_boundaries_are_exact_to_the_millisecond(instant: datetime, phase: str) -> None:
    assert SLOT.phase(instant) == phase
    assert phase_at(START, START + 45 * MIN, 10, instant) == phase


def test_the_lobby_length_is_the_festivals() -> None:
    slot = Slot(START, START + 45 * MIN, ClockSettings.from_minutes(3, [5, 1]))
    assert slot.phase(START - 3 * MIN - MS) == "scheduled"
    assert slot.phase(START - 3 * MIN) == "lobby"


def test_a_zero_lobby_goes_from_scheduled_to_live() -> None:
    slot = Slot(START, START + 45 * MIN, ClockSettings.from_minutes(0, [5, 1]))
    assert slot.phase(START - MS) == "scheduled"
    assert slot.phase(START) == "live"
    assert "phase:lobby" not in [a.kind for a in announcements(slot, AGENDA, [])]


def test_settings_default_and_clean_up_offsets() -> None:
    assert ClockSettings.from_minutes(None, None) == ClockSettings()
    settings = ClockSettings.from_minutes(10, [1, 5, 5, 0, -2])
    assert settings.warnings == (5 * MIN, MIN)


# The run sheet: a host who never advances -------------------------------------------------------


def test_a_host_who_never_advances_gets_the_plan() -> None:
    sheet = run_sheet(SLOT, AGENDA, [], at(12))
    assert [i.planned_start for i in sheet.items] == [at(0), at(5), at(30)]
    assert [i.planned_end for i in sheet.items] == [at(5), at(30), at(45)]
    assert sheet.current is not None and sheet.current.index == 1
    assert sheet.items[0].actual_start == at(0) and sheet.items[0].actual_end == at(5)
    assert sheet.items[1].actual_start == at(5) and sheet.items[1].actual_end is None
    assert sheet.items[2].actual_start is None
    assert sheet.current.remaining(at(12)) == 18 * MIN
    assert sheet.behind == timedelta(0)
    assert sheet.needed == 33 * MIN == sheet.available
    assert sheet.squeeze == timedelta(0)
    assert not sheet.driven


@pytest.mark.parametrize(
    ("instant", "index"),
    [
        (START - MS, None),
        (START, 0),
        (at(5) - MS, 0),
        (at(5), 1),
        (at(30) - MS, 1),
        (at(30), 2),
        (at(45) - MS, 2),
        (at(45), None),
    ],
)
def test_the_current_item_follows_the_plan_to_the_millisecond(
    instant: datetime, index: int | None
) -> None:
    current = run_sheet(SLOT, AGENDA, [], instant).current
    assert (current.index if current else None) == index


def test_an_empty_agenda_has_no_item_and_is_never_behind() -> None:
    sheet = run_sheet(SLOT, [], [], at(20))
    assert sheet.current is None and sheet.items == ()
    assert sheet.behind == timedelta(0) and sheet.needed == timedelta(0)
    assert sheet.available == 25 * MIN
    assert kinds(announcements(SLOT, [], [])) == [
        ("phase:lobby", at(-10)),
        ("phase:live", at(0)),
        ("warning:5", at(40)),
        ("warning:1", at(44)),
        ("phase:ended", at(45)),
    ]
    report = punctuality(SLOT, [], [], host_arrived_at=at(-2), at=at(45))
    assert report.first_item_started_at is None and report.ended_on_time
    assert report.overran_items == 0 and report.started_late_s == 0


def test_a_one_item_agenda_runs_the_whole_slot() -> None:
    agenda = [PlannedItem("Everything", 45)]
    sheet = run_sheet(SLOT, agenda, [], at(44))
    assert sheet.current is not None and sheet.current.index == 0
    assert sheet.current.remaining(at(44)) == MIN
    # its timebox ends with the slot: the end itself says so, no item_end announcement
    assert "item_end:0" not in [a.kind for a in announcements(SLOT, agenda, [])]
    report = punctuality(SLOT, agenda, [], host_arrived_at=at(-2), at=at(45))
    assert report.ended_on_time and report.items[0].actual_s == 45 * 60


# The run sheet: a host who moves --------------------------------------------------------------


def test_a_host_who_moves_early_is_ahead_and_drives_from_then_on() -> None:
    moves = [Move(1, at(3))]
    sheet = run_sheet(SLOT, AGENDA, moves, at(10))
    assert sheet.driven
    assert sheet.items[0].actual_end == at(3)
    assert sheet.items[0].actual_length(at(10)) == 3 * MIN
    assert sheet.current is not None and sheet.current.index == 1
    assert sheet.current.timebox_end == at(28)
    assert sheet.behind == -2 * MIN
    # the host drives: item 2 does not start at its planned time
    later = run_sheet(SLOT, AGENDA, moves, at(31))
    assert later.current is not None and later.current.index == 1
    assert later.current.overrun(at(31)) == 3 * MIN
    assert later.current.remaining(at(31)) == -3 * MIN
    assert later.behind == MIN


def test_a_host_who_runs_late_squeezes_the_later_items() -> None:
    moves = [Move(1, at(9))]  # item 0 overran by 4 minutes
    sheet = run_sheet(SLOT, AGENDA, moves, at(20))
    assert sheet.items[0].overrun(at(20)) == 4 * MIN
    assert sheet.behind == 4 * MIN
    assert sheet.needed == 14 * MIN + 15 * MIN
    assert sheet.available == 25 * MIN
    assert sheet.squeeze == 4 * MIN
    # item 1 runs over too; then item 2 starts at 40 with only 5 minutes before the hard stop
    moves.append(Move(2, at(40)))
    final = run_sheet(SLOT, AGENDA, moves, at(41))
    assert final.behind == 10 * MIN
    assert final.squeeze == 10 * MIN
    report = punctuality(SLOT, AGENDA, moves, host_arrived_at=at(-2), at=at(45))
    assert [i.actual_s for i in report.items] == [9 * 60, 31 * 60, 5 * 60]
    assert [i.overrun_s for i in report.items] == [4 * 60, 6 * 60, 0]
    assert report.overran_items == 2
    assert not report.ended_on_time


def test_a_host_who_skips_ahead_gives_skipped_items_zero_length() -> None:
    agenda = [*AGENDA[:2], PlannedItem("Pairs", 5), AGENDA[2]]
    moves = [Move(1, at(5)), Move(3, at(12))]
    sheet = run_sheet(SLOT, agenda, moves, at(13))
    assert sheet.current is not None and sheet.current.index == 3
    skipped = sheet.items[2]
    assert skipped.skipped and skipped.actual_start == skipped.actual_end == at(12)
    assert skipped.overrun(at(13)) == timedelta(0)
    report = punctuality(SLOT, agenda, moves, host_arrived_at=at(-2), at=at(45))
    assert report.items[2].skipped and report.items[2].actual_s == 0
    assert report.items[1].actual_s == 7 * 60
    assert report.ended_on_time


def test_a_jump_before_a_planned_start_skips_the_items_not_yet_due() -> None:
    # no earlier move: items 0 and 1 ran by plan until the jump to 2 at minute 20
    sheet = run_sheet(SLOT, AGENDA, [Move(2, at(20))], at(21))
    assert [i.actual_start for i in sheet.items] == [at(0), at(5), at(20)]
    assert sheet.items[1].actual_end == at(20)
    # a jump from item 0 straight to 2 at minute 4 skips item 1
    early = run_sheet(SLOT, AGENDA, [Move(2, at(4))], at(6))
    assert early.items[1].skipped
    assert early.current is not None and early.current.index == 2


def test_moves_outside_the_slot_or_unknown_items_are_ignored() -> None:
    moves = [Move(7, at(10)), Move(1, at(50)), Move(-1, at(3)), Move(1, at(-1))]
    assert run_sheet(SLOT, AGENDA, moves, at(12)) == run_sheet(SLOT, AGENDA, [], at(12))


def test_moves_not_yet_made_at_the_instant_are_not_known() -> None:
    moves = [Move(1, at(3))]
    assert run_sheet(SLOT, AGENDA, moves, at(2)) == run_sheet(SLOT, AGENDA, [], at(2))


def test_the_first_item_can_start_late() -> None:
    moves = [Move(0, at(2)), Move(1, at(7)), Move(2, at(32))]
    sheet = run_sheet(SLOT, AGENDA, moves, at(3))
    assert sheet.current is not None and sheet.current.actual_start == at(2)
    assert sheet.behind == 2 * MIN
    report = punctuality(SLOT, AGENDA, moves, host_arrived_at=at(-2), at=at(45))
    assert report.first_item_started_at == at(2)
    assert report.started_late_s == 120
    assert report.overran_items == 0
    # two minutes late and never caught up: the hard stop cut the last item short
    assert [i.actual_s for i in report.items] == [300, 1500, 780]
    assert not report.ended_on_time


def test_the_scheduled_end_is_final_for_every_item() -> None:
    too_long = [PlannedItem("A", 30), PlannedItem("B", 30), PlannedItem("C", 10)]
    sheet = run_sheet(SLOT, too_long, [], at(44))
    assert sheet.items[1].planned_end == at(45)
    assert sheet.items[2].planned_start == at(45)
    assert sheet.current is not None and sheet.current.index == 1
    ended = run_sheet(SLOT, too_long, [], at(60))
    assert ended.current is None
    assert ended.items[1].actual_end == at(45)
    assert not ended.items[2].reached
    report = punctuality(SLOT, too_long, [], host_arrived_at=at(-2), at=at(45))
    assert not report.ended_on_time
    assert report.items[2].actual_s == 0


def test_outside_live_nothing_is_behind() -> None:
    for instant in (at(-5), at(45), at(90)):
        sheet = run_sheet(SLOT, AGENDA, [Move(1, at(20))], instant)
        assert sheet.behind == timedelta(0) and sheet.current is None
        assert sheet.needed == timedelta(0) and sheet.available == timedelta(0)


# Warnings and announcements -------------------------------------------------------------------


def test_the_planned_announcement_schedule() -> None:
    assert kinds(announcements(SLOT, AGENDA, [])) == [
        ("phase:lobby", at(-10)),
        ("phase:live", at(0)),
        ("item_end:0", at(5)),
        ("item_end:1", at(30)),
        ("warning:5", at(40)),
        ("warning:1", at(44)),
        ("phase:ended", at(45)),
    ]


def test_moves_re_derive_item_ends() -> None:
    early = announcements(SLOT, AGENDA, [Move(1, at(3))])
    assert ("item_end:0", at(5)) not in kinds(early)  # moved on before its timebox ran out
    assert ("item_end:1", at(28)) in kinds(early)
    late = announcements(SLOT, AGENDA, [Move(1, at(9))])
    assert ("item_end:0", at(5)) in kinds(late)
    assert ("item_end:1", at(34)) in kinds(late)
    # item 2 is not reached yet, so its end is not known (and would be past the end anyway)
    assert not [k for k, _ in kinds(late) if k == "item_end:2"]


def test_warnings_outside_the_slot_are_dropped() -> None:
    short = Slot(START, START + 3 * MIN, ClockSettings.from_minutes(10, [5, 1]))
    assert [a.kind for a in announcements(short, [], [])] == [
        "phase:lobby",
        "phase:live",
        "warning:1",
        "phase:ended",
    ]


def test_a_session_moved_by_a_new_schedule_version_gets_new_keys() -> None:
    moved = Slot(START + 60 * MIN, START + 105 * MIN)
    before = set(kinds(announcements(SLOT, AGENDA, [])))
    after = set(kinds(announcements(moved, AGENDA, [])))
    assert before.isdisjoint(after)
    assert ("phase:live", START + 60 * MIN) in after


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(-11), None),
        (at(-10), "phase:lobby"),
        (at(0) - MS, "phase:lobby"),
        (at(0), "phase:live"),
        (at(5), "item_end:0"),
        (at(39), "item_end:1"),
        (at(40), "warning:5"),
        (at(44), "warning:1"),
        (at(45), "phase:ended"),
        (at(200), "phase:ended"),
    ],
)
def test_latest_due(instant: datetime, expected: str | None) -> None:
    due = latest_due(announcements(SLOT, AGENDA, []), instant)
    assert (due.kind if due else None) == expected


def test_next_due_after_an_instant() -> None:
    schedule = announcements(SLOT, AGENDA, [])
    assert next_due(schedule, at(-20)) == at(-10)
    assert next_due(schedule, at(0)) == at(5)
    assert next_due(schedule, at(5) - MS) == at(5)
    assert next_due(schedule, at(44)) == at(45)
    assert next_due(schedule, at(45)) is None


def test_the_warning_in_force() -> None:
    assert warning_at(SLOT, AGENDA, [], at(-1)) is None
    assert warning_at(SLOT, AGENDA, [], at(4)) is None
    # by plan the item change and the timebox end coincide: the next item is current, no warning
    assert warning_at(SLOT, AGENDA, [], at(6)) is None
    assert warning_at(SLOT, AGENDA, [], at(40)) == ClockMoment(at(40), "warning:5")
    assert warning_at(SLOT, AGENDA, [], at(44)) == ClockMoment(at(44), "warning:1")
    assert warning_at(SLOT, AGENDA, [], at(45)) is None


def test_the_warning_from_a_run_sheet_already_made_is_the_same() -> None:
    """A join's clock state hands `warning_at` the sheet it made for the same instant."""
    moves = [Move(1, at(3)), Move(2, at(29))]
    for minutes in (-1, 4, 6, 28, 30, 40, 41, 44, 45):
        for known in ([], moves[:1], moves):
            sheet = run_sheet(SLOT, AGENDA, known, at(minutes))
            made = warning_at(SLOT, AGENDA, known, at(minutes), sheet)
            assert made == warning_at(SLOT, AGENDA, known, at(minutes)), (minutes, known)


def test_an_item_end_warning_holds_while_the_item_runs_over() -> None:
    moves = [Move(1, at(3))]
    assert warning_at(SLOT, AGENDA, moves, at(27)) is None
    assert warning_at(SLOT, AGENDA, moves, at(28)) == ClockMoment(at(28), "item_end:1")
    assert warning_at(SLOT, AGENDA, moves, at(41)) == ClockMoment(at(40), "warning:5")
    moves.append(Move(2, at(29)))
    assert warning_at(SLOT, AGENDA, moves, at(30)) is None


def test_the_last_item_runs_to_the_hard_stop_and_is_never_over_its_timebox() -> None:
    """Only the hard stop ends the last item: reached early, its extra time is what the items
    before it left over, which the room must not call an overrun (nor does the record)."""
    early = [Move(1, at(3)), Move(2, at(26))]
    assert not [k for k, _ in kinds(announcements(SLOT, AGENDA, early)) if k == "item_end:2"]
    assert warning_at(SLOT, AGENDA, early, at(42)) == ClockMoment(at(40), "warning:5")
    assert warning_at(SLOT, AGENDA, early, at(41.5)) != ClockMoment(at(41), "item_end:2")
    record = punctuality(SLOT, AGENDA, early, host_arrived_at=at(0), at=at(45))
    assert record.overran_items == 0 and record.ended_on_time
    # The items before it still say when they run over.
    assert ("item_end:1", at(28)) in kinds(announcements(SLOT, AGENDA, [Move(1, at(3))]))


# Time zones ---------------------------------------------------------------------------------------


def test_a_session_across_the_change_from_bst_to_gmt() -> None:
    """25 Oct 2026: 02:00 BST becomes 01:00 GMT at 01:00 UTC; 00:30 to 02:00 UTC is 90 min."""
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    slot = Slot(start, start + 90 * MIN)
    agenda = [PlannedItem("Before the change", 30), PlannedItem("Across it", 60)]
    change = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    sheet = run_sheet(slot, agenda, [], change)
    assert sheet.current is not None and sheet.current.index == 1
    assert sheet.current.remaining(change) == 60 * MIN
    assert slot.phase(change + 59 * MIN) == "live"
    assert slot.phase(start + 90 * MIN) == "ended"
    assert kinds(announcements(slot, agenda, [])) == [
        ("phase:lobby", start - 10 * MIN),
        ("phase:live", start),
        ("item_end:0", change),
        ("warning:5", start + 85 * MIN),
        ("warning:1", start + 89 * MIN),
        ("phase:ended", start + 90 * MIN),
    ]


def test_instants_in_any_zone_give_the_same_answer() -> None:
    from zoneinfo import ZoneInfo

    london = at(12).astimezone(ZoneInfo("Europe/London"))
    assert (
        run_sheet(SLOT, AGENDA, [], london).current == run_sheet(SLOT, AGENDA, [], at(12)).current
    )
