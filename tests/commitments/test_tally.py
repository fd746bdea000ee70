"""Follow-through counted by hand: per session, per theme and for the festival."""

from __future__ import annotations

from networkfest.commitments.tally import (
    FOLLOW_THROUGH_COLUMNS,
    SessionRef,
    Tally,
    count,
    session_lines,
    summarise,
    total,
)

THEMES = [("method", "Having a method"), ("purpose", "Ruthless about purpose"), ("learning", "L")]
A = SessionRef(1, "a", "A", "method", "Having a method")
B = SessionRef(2, "b", "B", "purpose", "Ruthless about purpose")
C = SessionRef(3, "c", "C", "method", "Having a method")


def test_a_tally_from_the_grouped_counts():
    tally = count([(None, 3), ("done", 2), ("partly", 1), ("not_yet", 4)])

    assert tally == Tally(commitments=10, done=2, partly=1, not_yet=4)
    assert (tally.followed_up, tally.unanswered) == (7, 3)
    assert (tally.done_share, tally.followed_up_share) == (0.286, 0.7)


def test_followed_up_counts_every_answer_whatever_it_was():
    assert count([("done", 1)]).followed_up == 1
    assert count([("partly", 1)]).followed_up == 1
    assert count([("not_yet", 1)]).followed_up == 1
    assert count([(None, 1)]).followed_up == 0


def test_an_answer_it_does_not_know_is_made_but_not_followed_up():
    tally = count([("maybe", 2), ("done", 1)])

    assert (tally.commitments, tally.followed_up, tally.unanswered) == (3, 1, 2)


def test_nothing_to_count_has_no_shares():
    empty = count([])

    assert empty == Tally() == total([])
    assert (empty.done_share, empty.followed_up_share) == (None, None)


def test_tallies_add_up():
    assert Tally(3, 1, 1, 0) + Tally(2, 0, 1, 1) == Tally(5, 1, 2, 1)
    assert total([Tally(1, 1, 0, 0), Tally(1, 0, 0, 1), Tally(4, 0, 0, 0)]) == Tally(6, 1, 0, 1)


def test_per_session_per_theme_and_the_festival():
    tallies = {1: Tally(4, 2, 1, 0), 2: Tally(1, 0, 0, 1)}

    lines = session_lines([A, B, C], tallies)
    result = summarise(lines, THEMES, "Whole festival")

    assert [(line.slug, line.tally) for line in lines] == [
        ("a", Tally(4, 2, 1, 0)),
        ("b", Tally(1, 0, 0, 1)),
        ("c", Tally()),
    ]
    # Themes in the festival's order; "learning" has no session here, so no line.
    assert [(g.key, g.label, g.sessions, g.tally) for g in result.themes] == [
        ("method", "Having a method", 2, Tally(4, 2, 1, 0)),
        ("purpose", "Ruthless about purpose", 1, Tally(1, 0, 0, 1)),
    ]
    assert (result.festival.label, result.festival.sessions) == ("Whole festival", 3)
    assert result.festival.tally == Tally(5, 2, 1, 1)


def test_the_csv_row_has_exactly_the_columns():
    line = session_lines([A], {1: Tally(5, 2, 1, 1)})[0]

    assert FOLLOW_THROUGH_COLUMNS == (
        "slug",
        "title",
        "theme",
        "commitments",
        "followed_up",
        "done",
        "partly",
        "not_yet",
    )
    assert line.as_row() == {
        "slug": "a",
        "title": "A",
        "theme": "method",
        "commitments": 5,
        "followed_up": 4,
        "done": 2,
        "partly": 1,
        "not_yet": 1,
    }


def test_no_sessions_summarise_to_nothing():
    result = summarise([], THEMES, "Selected sessions")

    assert (result.sessions, result.themes) == ([], [])
    assert (result.festival.sessions, result.festival.tally) == (0, Tally())
