"""The dashboard's filters and its tables re-counted over the sessions they keep: pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from networkfest.commitments.tally import Tally
from networkfest.insights import figures

THEMES = [("method", "Having a method"), ("purpose", "Ruthless about purpose")]
MONDAY, TUESDAY = date(2026, 9, 21), date(2026, 9, 22)


def session(id_: int, slug: str, theme: str, day: date) -> figures.SessionRow:
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    return figures.SessionRow(
        id=id_,
        slug=slug,
        title=slug.upper(),
        theme=theme,
        theme_name=dict(THEMES)[theme],
        day=day,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
    )


def known() -> figures.Dashboard:
    """A (method, Mon), B (purpose, Mon), C (method, Tue): commitments, a poll, feedback."""
    a, b, c = (
        session(1, "a", "method", MONDAY),
        session(2, "b", "purpose", MONDAY),
        session(3, "c", "method", TUESDAY),
    )
    in_room = [figures.PresenceRow(1, user, a.starts_at, a.ends_at) for user in (10, 11)]
    return figures.dashboard(
        [a, b, c],
        registrations=[],
        presences=in_room,
        questions=[],
        feedback=[
            figures.FeedbackRow(1, 5, "Timebox it", True),
            figures.FeedbackRow(2, 3, "Ask why", False),
        ],
        punctuality={},
        themes=THEMES,
        now=datetime(2026, 10, 20, tzinfo=UTC),
        day_label=lambda day: day.strftime("%A"),
        follow_through={1: Tally(3, 1, 1, 0), 2: Tally(2, 0, 0, 2), 3: Tally(1, 1, 0, 0)},
        polls=[figures.PollRow(1, 7, "Which pitfall?", "closed", 1)],
    )


def test_unknown_values_fall_back_to_all():
    filters = figures.Filters.parse(
        {"theme": "nope", "day": "1999-01-01", "sort": "drop table", "dir": "sideways"},
        ["method", "purpose"],
        [MONDAY],
    )

    assert filters == figures.Filters()
    assert not filters.active
    assert filters.params() == {"sort": "starts", "dir": "asc"}


def test_known_values_are_kept_and_carried_into_links():
    filters = figures.Filters.parse(
        {"theme": "method", "day": "2026-09-22", "sort": "worth_mean", "dir": "desc"},
        ["method", "purpose"],
        [MONDAY, TUESDAY],
    )

    assert filters == figures.Filters("method", "2026-09-22", "worth_mean", True)
    assert filters.active
    assert filters.params(sort="attended", dir="asc") == {
        "theme": "method",
        "day": "2026-09-22",
        "sort": "attended",
        "dir": "asc",
    }


def test_days_and_the_sessions_a_filter_keeps():
    result = known()

    assert figures.days_of(result) == [MONDAY, TUESDAY]
    assert figures.day_of(result, "c") == "2026-09-22"
    assert figures.matching(result, figures.Filters(theme="method")) == {"a", "c"}
    assert figures.matching(result, figures.Filters(day="2026-09-21")) == {"a", "b"}
    assert figures.matching(result, figures.Filters("method", "2026-09-21")) == {"a"}
    assert figures.matching(result, figures.Filters()) == {"a", "b", "c"}


def test_refilter_recounts_every_table_over_the_kept_sessions():
    result = known()

    narrowed = figures.refilter(result, {"a", "c"})

    assert [f.slug for f in narrowed.sessions] == ["a", "c"]
    assert [(g.key, g.sessions) for g in narrowed.themes] == [("method", 2)]
    assert [(d.key, d.label, d.sessions) for d in narrowed.days] == [
        ("2026-09-21", "Monday", 1),
        ("2026-09-22", "Tuesday", 1),
    ]
    assert narrowed.festival is not None
    assert (narrowed.festival.label, narrowed.festival.worth_count) == ("Selected sessions", 1)
    assert [a.different for a in narrowed.different] == ["Timebox it"]
    follow = narrowed.follow_through
    assert [line.slug for line in follow.sessions] == ["a", "c"]
    assert [(g.key, g.tally) for g in follow.themes] == [("method", Tally(4, 2, 1, 0))]
    assert (follow.festival.label, follow.festival.tally) == (
        "Selected sessions",
        Tally(4, 2, 1, 0),
    )
    assert [s.slug for s in narrowed.polls] == ["a"]
    assert [s.slug for s in figures.refilter(result, {"b"}).polls] == []


def test_the_whole_festival_before_any_filter():
    result = known()

    assert result.festival is not None and result.festival.label == "Whole festival"
    assert result.follow_through.festival.tally == Tally(6, 2, 1, 2)
    assert [(g.key, g.sessions) for g in result.follow_through.themes] == [
        ("method", 2),
        ("purpose", 1),
    ]


def test_poll_turnout_is_the_share_of_the_room_that_answered():
    sessions = [session(1, "a", "method", MONDAY), session(2, "b", "purpose", MONDAY)]
    result = figures.dashboard(
        sessions,
        registrations=[],
        presences=[
            figures.PresenceRow(1, user, sessions[0].starts_at, None) for user in (1, 2, 3, 4)
        ],
        questions=[],
        feedback=[],
        punctuality={},
        themes=THEMES,
        now=sessions[0].ends_at,
        polls=[
            figures.PollRow(1, 1, "First?", "closed", 3),
            figures.PollRow(1, 2, "Second?", "open", 1),
            # Someone the presence record missed: never above 100%.
            figures.PollRow(2, 3, "Nobody here?", "closed", 1),
        ],
    )

    a, b = result.polls
    assert [(p.poll, p.answered, p.in_room, p.share) for p in a.polls] == [
        (1, 3, 4, 0.75),
        (2, 1, 4, 0.25),
    ]
    assert (a.in_room, a.share) == (4, 0.5)
    assert [(p.answered, p.in_room, p.share) for p in b.polls] == [(1, 0, None)]
    assert b.share is None
    assert (result.polls_run, result.polls_share) == (3, 0.5)
    assert a.polls[0].as_row() == {
        "slug": "a",
        "title": "A",
        "theme": "method",
        "poll": 1,
        "question": "First?",
        "status": "closed",
        "answered": 3,
        "in_room": 4,
        "share": 0.75,
    }


def test_tables_for_the_csv():
    result = known()

    columns, rows = figures.table(result, "follow-through")
    assert columns == figures.FOLLOW_THROUGH_COLUMNS
    assert [row["followed_up"] for row in rows] == [2, 2, 1]
    columns, rows = figures.table(result, "polls")
    assert columns == figures.POLL_COLUMNS and [row["poll"] for row in rows] == [7]
    columns, rows = figures.table(result, "themes")
    assert columns[:3] == ("key", "label", "sessions")
    assert [row["key"] for row in rows] == ["method", "purpose"]
    assert set(figures.TABLES) == {
        "sessions",
        "themes",
        "days",
        "different",
        "follow-through",
        "polls",
    }
