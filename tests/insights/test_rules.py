"""Pure rules and figures: feedback checks, the 48-hour window, peaks, punctuality."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from networkfest.insights import charts, figures
from networkfest.insights.rules import (
    FeedbackRefused,
    clean_feedback,
    feedback_refusal,
)

END = datetime(2026, 9, 21, 10, 45, tzinfo=UTC)


def t(minute: int) -> datetime:
    return datetime(2026, 9, 21, 10, 0, tzinfo=UTC) + timedelta(minutes=minute)


def test_clean_feedback_trims_and_accepts_a_valid_answer():
    answer = clean_feedback(5, "  Ask for purpose first \n", False)
    assert (answer.worth, answer.different, answer.follow_up) == (5, "Ask for purpose first", False)
    assert clean_feedback(1, None, True).different == ""


@pytest.mark.parametrize(
    ("worth", "different", "follow_up", "code"),
    [
        (0, "", True, "invalid"),
        (6, "", True, "invalid"),
        (True, "", True, "invalid"),
        ("3", "", True, "invalid"),
        (3.0, "", True, "invalid"),
        (3, 42, True, "invalid"),
        (3, "x" * 501, True, "too_long"),
        (3, "", "yes", "invalid"),
        (3, "", None, "invalid"),
    ],
)
def test_clean_feedback_refuses_bad_answers(worth, different, follow_up, code):
    with pytest.raises(FeedbackRefused) as refused:
        clean_feedback(worth, different, follow_up)
    assert refused.value.code == code
    assert refused.value.message


def test_exactly_500_characters_after_trimming_is_allowed():
    assert len(clean_feedback(3, " " + "x" * 500 + " ", True).different) == 500


@pytest.mark.parametrize(
    ("phase", "cancelled", "attended", "now", "code"),
    [
        ("live", False, True, END - timedelta(minutes=1), "not_live"),
        ("lobby", False, True, END - timedelta(hours=1), "not_live"),
        ("ended", False, False, END, "forbidden"),
        ("ended", True, True, END, "not_found"),
        ("ended", False, True, END + timedelta(hours=48, seconds=1), "forbidden"),
    ],
)
def test_feedback_refusals(phase, cancelled, attended, now, code):
    refusal = feedback_refusal(
        phase=phase, cancelled=cancelled, attended=attended, ends_at=END, now=now
    )
    assert refusal is not None and refusal.code == code


def test_a_closed_window_says_when_it_closed():
    late = feedback_refusal(
        phase="ended",
        cancelled=False,
        attended=True,
        ends_at=END,
        now=END + timedelta(hours=49),
    )
    absent = feedback_refusal(phase="ended", cancelled=False, attended=False, ends_at=END, now=END)
    assert late is not None and late.closed_at == END + timedelta(hours=48)
    assert absent is not None and absent.closed_at is None


@pytest.mark.parametrize("after", [timedelta(0), timedelta(hours=48)])
def test_feedback_open_from_the_end_for_48_hours(after):
    assert (
        feedback_refusal(
            phase="ended", cancelled=False, attended=True, ends_at=END, now=END + after
        )
        is None
    )


def presence(user, joined, left):
    return figures.PresenceRow(1, user, t(joined), None if left is None else t(left))


def peak(rows, now=None):
    return figures.peak_concurrent(figures.stays_in_slot(rows, t(0), t(45), now or t(60)))


def test_stays_count_people_not_tabs_or_reconnects_within_the_slot():
    rows = [
        presence(1, -5, 30),  # joined in the lobby: counted from the start
        presence(1, 5, 40),  # second tab
        presence(2, 2, 20),
        presence(2, 21, 50),  # reconnect; counted until the end
        presence(3, -10, -2),  # lobby only: did not attend
        presence(None, 0, 45),  # anonymous watcher: not a person we know
    ]
    stays = figures.stays_in_slot(rows, t(0), t(45), t(60))
    assert stays == {1: [(t(0), t(40))], 2: [(t(2), t(20)), (t(21), t(45))]}
    assert figures.peak_concurrent(stays) == 2


def test_peak_hand_over_is_not_an_overlap_and_open_stays_count_until_now():
    assert peak([presence(1, 0, 10), presence(2, 10, 20)]) == 1
    assert peak([presence(1, 0, None), presence(2, 30, 35)]) == 2
    assert peak([presence(1, 0, None), presence(2, 30, 35)], now=t(20)) == 1
    assert peak([presence(1, 0, None), presence(1, 5, 10)]) == 1
    assert peak([]) == 0


def test_rates_and_means_without_data_are_none():
    assert figures.rate(0, 0) is None
    assert figures.rate(1, 3) == 0.333
    assert figures.mean(0, 0) is None
    assert figures.mean(7, 2) == 3.5


def test_sort_puts_missing_figures_last():
    def fig(slug, worth):
        return figures.SessionFigures(
            slug=slug,
            title=slug,
            theme="method",
            registered=0,
            waitlisted=0,
            attended=0,
            no_show_rate=None,
            peak_concurrent=0,
            questions=0,
            answered=0,
            started_late_s=None,
            overran_items=None,
            ended_on_time=None,
            worth_mean=worth,
            worth_count=0,
            follow_up_yes=0,
            day=date(2026, 9, 21),
        )

    rows = [fig("a", 3.0), fig("b", None), fig("c", 4.5)]
    starts = {"a": t(0), "b": t(1), "c": t(2)}
    assert [f.slug for f in figures.sort_sessions(rows, starts, "worth_mean", True)] == [
        "c",
        "a",
        "b",
    ]
    assert [f.slug for f in figures.sort_sessions(rows, starts, "starts", True)] == ["c", "b", "a"]


def test_bar_chart_scales_bars_and_says_when_there_is_no_data():
    chart = charts.bar_chart(
        "x",
        "Title",
        "Description",
        [("A", 2, "bar"), ("B", 4, "bar"), ("C", None, "bar")],
        unit=" s",
    )
    widths = [bar.width for bar in chart.bars]
    assert widths[1] == 2 * widths[0] and widths[2] == 0
    assert [bar.text for bar in chart.bars] == ["2 s", "4 s", "no data"]
    assert charts.bar_chart("y", "T", "D", [("A", 0, "bar")], unit="").bars[0].width == 0
