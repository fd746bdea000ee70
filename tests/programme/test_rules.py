"""Checking schedule files: one bad file per rule, and a file with many problems at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from networkfest.config import PROJECT_ROOT
from networkfest.programme.rules import (
    CheckResult,
    check,
    local_to_utc,
    name_from_email,
)
from tests.programme.schedules import FESTIVAL, schedule, session


def problems_at(result: CheckResult, location: str, field: str) -> list[str]:
    return [p.message for p in result.problems if p.location == location and p.field == field]


def only_error(text: str, location: str, field: str, fragment: str) -> None:
    result = check(text)
    assert not result.ok
    messages = problems_at(result, location, field)
    assert any(fragment in m for m in messages), result.problems


def test_a_valid_file_parses_into_plain_values() -> None:
    result = check(schedule(session(), session("beta", starts="2026-09-22T14:30:00")))
    assert result.ok and result.problems == []
    assert result.schedule is not None
    alpha, beta = result.schedule.sessions
    assert alpha.starts_at == datetime(2026, 9, 21, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert alpha.ends_at == datetime(2026, 9, 21, 9, 30, tzinfo=UTC)
    assert alpha.qa == "moderated" and alpha.capacity is None
    assert beta.hosts == ("host@example.org",)
    assert result.schedule.festival.warnings == (5, 1)
    assert result.schedule.festival.lobby_minutes == 10


def test_toml_syntax_errors_name_the_line() -> None:
    result = check(FESTIVAL + '\n[[session]]\nslug = "a\n')
    assert not result.ok
    (problem,) = result.problems
    assert problem.location == "file" and "(at line 14, column 10)" in problem.message


def test_missing_festival_fields() -> None:
    text = schedule(festival='[festival]\nname = "X"\n')
    result = check(text)
    for name in ("slug", "timezone", "starts", "ends", "themes"):
        assert problems_at(result, "festival", name) == ["missing (this field is required)"]


def test_missing_festival_table() -> None:
    only_error(session(), "festival", "", "missing the [festival] table")


def test_unknown_fields_everywhere() -> None:
    text = (
        FESTIVAL.replace(
            'name = "Test festival"', 'name = "Test festival"\ncolour = "red"'
        ).replace(
            '{ slug = "method", name = "Having a method" }',
            '{ slug = "method", name = "Having a method", icon = "x" }',
        )
        + "[festival.clock]\nlobby_minutes = 5\nsnooze = 2\n"
        + "[extra]\nx = 1\n"
        + session(
            extra="speaker = 'Ann'",
            agenda='[{ title = "All", minutes = 30, owner = "Ann" }]',
        )
    )
    result = check(text)
    assert problems_at(result, "festival", "colour") == ["unknown festival field"]
    assert problems_at(result, "festival, theme #1", "icon") == ["unknown theme field"]
    assert problems_at(result, "festival.clock", "snooze") == ["unknown clock field"]
    assert problems_at(result, "session 'alpha'", "speaker") == ["unknown session field"]
    assert problems_at(result, "session 'alpha', agenda item #1", "owner") == [
        "unknown agenda item field"
    ]
    assert problems_at(result, "file", "extra")


def test_missing_session_fields_name_the_index_without_a_slug() -> None:
    text = FESTIVAL + '[[session]]\ntitle = "No slug"\n'
    result = check(text)
    for name in ("slug", "theme", "purpose", "format", "starts", "minutes", "join_url", "agenda"):
        assert problems_at(result, "session #1", name) == ["missing (this field is required)"]


def test_bad_time_zone() -> None:
    text = schedule(festival=FESTIVAL.replace("Europe/London", "Europe/Atlantis"))
    only_error(text, "festival", "timezone", "not an IANA time zone")


def test_session_outside_the_festival_days() -> None:
    only_error(
        schedule(session(starts="2026-09-26T10:00:00")), "session 'alpha'", "starts", "outside"
    )
    only_error(
        schedule(
            session(
                starts="2026-09-25T23:45:00", minutes=30, agenda='[{ title = "A", minutes = 30 }]'
            )
        ),
        "session 'alpha'",
        "starts",
        "outside",
    )


def festival_on(first: str, last: str, timezone: str = "Europe/London") -> str:
    return (
        FESTIVAL.replace("starts = 2026-09-21", f"starts = {first}")
        .replace("ends = 2026-09-25", f"ends = {last}")
        .replace("Europe/London", timezone)
    )


def test_starts_at_the_ends_of_the_calendar_are_outside_the_festival() -> None:
    """Times whose arithmetic would leave the calendar (years 1 to 9999) get the same
    located message as any other session outside the festival's days, all at once."""
    whole_slot = '[{ title = "A", minutes = 30 }]'
    result = check(
        schedule(
            session("last-minute", starts="9999-12-31T23:59:00", minutes=1, agenda=whole_slot),
            session("late-offset", starts="9999-12-31T23:59:00-05:00"),
            session("early-offset", starts="0001-01-01T00:00:00+05:00"),
            session("first-minute", starts="0001-01-01T00:00:00"),
            session("huge", minutes=10**30),
            festival=festival_on("2026-09-21", "2026-09-25", "America/New_York"),
        )
    )
    assert not result.ok
    for slug in ("last-minute", "late-offset", "early-offset", "first-minute"):
        assert problems_at(result, f"session {slug!r}", "starts") == [
            "the session falls outside the festival's days "
            "(2026-09-21 to 2026-09-25, America/New_York)"
        ]
    assert problems_at(result, "session 'huge'", "minutes") == [f"at most 480 (got {10**30})"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1969-12-31"])
def test_festival_days_keep_clear_of_the_ends_of_the_calendar(day: str) -> None:
    result = check(schedule(session(starts=f"{day}T10:00:00"), festival=festival_on(day, day)))
    assert not result.ok
    for name in ("starts", "ends"):
        assert problems_at(result, "festival", name) == [
            f"must be a date from 1970-01-01 to 9998-12-31 (got {day})"
        ]


def test_a_festival_on_its_last_possible_day_checks_clean() -> None:
    """Eight hours ending at midnight, twelve hours behind UTC: the latest end there can be."""
    result = check(
        schedule(
            session(
                starts="9998-12-31T16:00:00",
                minutes=480,
                agenda='[{ title = "A", minutes = 480 }]',
            ),
            festival=festival_on("9998-12-31", "9998-12-31", "Etc/GMT+12"),
        )
    )
    assert result.ok, result.problems
    assert result.schedule is not None
    (last,) = result.schedule.sessions
    assert last.ends_at == datetime(9999, 1, 1, 12, 0, tzinfo=UTC)


def test_festival_ending_before_it_starts() -> None:
    text = schedule(festival=FESTIVAL.replace("ends = 2026-09-25", "ends = 2026-09-20"))
    only_error(text, "festival", "ends", "before the first day")


@pytest.mark.parametrize("minutes", [0, -15])
def test_end_before_start(minutes: int) -> None:
    only_error(schedule(session(minutes=minutes)), "session 'alpha'", "minutes", "more than 0")


def test_agenda_longer_than_the_slot_is_an_error() -> None:
    text = schedule(session(minutes=20))
    only_error(text, "session 'alpha'", "agenda", "takes 30 minutes but the slot is 20")


def test_agenda_not_filling_the_slot_is_only_a_warning() -> None:
    result = check(schedule(session(minutes=45)))
    assert result.ok
    (warning,) = result.warnings
    assert warning.location == "session 'alpha'" and warning.field == "agenda"
    assert "15 of the 45-minute slot unplanned" in warning.message


def test_a_one_minute_run_sheet_is_counted_in_the_singular() -> None:
    result = check(schedule(session(minutes=5, agenda='[{ title = "Welcome", minutes = 1 }]')))
    (warning,) = result.warnings
    assert warning.message == (
        "the run sheet takes 1 minute and leaves 4 of the 5-minute slot unplanned"
    )


def test_more_than_three_themes() -> None:
    festival = FESTIVAL.replace(
        '{ slug = "purpose", name = "Ruthless about purpose" },',
        '{ slug = "purpose", name = "P" }, { slug = "c", name = "C" }, { slug = "d", name = "D" },',
    )
    only_error(schedule(festival=festival), "festival", "themes", "at most 3")


def test_session_theme_not_in_the_festival() -> None:
    only_error(schedule(session(theme="joy")), "session 'alpha'", "theme", "not one of")


def test_duplicate_session_slugs() -> None:
    text = schedule(session(), session(starts="2026-09-23T10:00:00"))
    only_error(text, "session 'alpha'", "slug", "duplicate session slug (also session #1)")


def test_duplicate_theme_slugs() -> None:
    festival = FESTIVAL.replace('slug = "purpose"', 'slug = "method"')
    only_error(schedule(festival=festival), "festival, theme #2", "slug", "duplicate theme slug")


def test_host_double_booked_in_overlapping_sessions() -> None:
    text = schedule(session(), session("beta", starts="2026-09-21T10:15:00"))
    only_error(text, "session 'beta'", "hosts", "host@example.org is double-booked")


def test_back_to_back_sessions_are_not_double_booked() -> None:
    assert check(schedule(session(), session("beta", starts="2026-09-21T10:30:00"))).ok


@pytest.mark.parametrize(
    "url", ["ftp://meet.example.org/a", "javascript:alert(1)", "https://", "meet.example.org"]
)
def test_bad_urls(url: str) -> None:
    text = schedule(session()).replace("https://meet.example.org/alpha", url)
    only_error(text, "session 'alpha'", "join_url", "not a web address")


def test_bad_emails() -> None:
    text = schedule(session(hosts='["host@example.org", "not-an-address"]'))
    only_error(text, "session 'alpha'", "hosts[2]", "not a valid e-mail address")


@pytest.mark.parametrize(
    ("extra", "field", "fragment"),
    [
        ('qa = "loud"', "qa", "not one of: open, moderated, off"),
        ("capacity = 0", "capacity", "at least 1"),
        ("capacity = 2.5", "capacity", "at least 1"),
        ("capacity = true", "capacity", "at least 1"),
    ],
)
def test_bad_qa_and_capacity(extra: str, field: str, fragment: str) -> None:
    only_error(schedule(session(extra=extra)), "session 'alpha'", field, fragment)


def test_bad_format() -> None:
    text = schedule(session()).replace('format = "talk"', 'format = "keynote"')
    only_error(text, "session 'alpha'", "format", "not one of: talk, peer-circle")


def test_bad_clock_settings() -> None:
    text = FESTIVAL + "[festival.clock]\nlobby_minutes = -1\nwarnings = [5, 5]\n" + session()
    result = check(text)
    assert problems_at(result, "festival.clock", "lobby_minutes")
    assert problems_at(result, "festival.clock", "warnings") == ["lists the same minute twice"]


def test_nonexistent_and_ambiguous_local_times_are_errors() -> None:
    festival = FESTIVAL.replace("2026-09-21", "2026-03-28").replace("2026-09-25", "2026-10-30")
    skipped = schedule(session(starts="2026-03-29T01:30:00"), festival=festival)
    only_error(skipped, "session 'alpha'", "starts", "does not exist in Europe/London")
    repeated = schedule(session(starts="2026-10-25T01:30:00"), festival=festival)
    only_error(repeated, "session 'alpha'", "starts", "happens twice in Europe/London")


def test_local_to_utc_follows_daylight_saving() -> None:
    assert local_to_utc(datetime(2026, 9, 21, 10), "Europe/London") == datetime(
        2026, 9, 21, 9, tzinfo=UTC
    )
    assert local_to_utc(datetime(2026, 12, 1, 10), "Europe/London") == datetime(
        2026, 12, 1, 10, tzinfo=UTC
    )


def test_host_table_gives_display_names() -> None:
    extra = '[[host]]\nemail = "Host@Example.org"\nname = "Hana Host"\n'
    result = check(
        schedule(session(hosts='["host@example.org", "amira.hassan@example.org"]'), extra=extra)
    )
    assert result.schedule is not None
    assert result.schedule.host_name("host@example.org") == "Hana Host"
    assert result.schedule.host_name("amira.hassan@example.org") == "Amira Hassan"


def test_name_from_email() -> None:
    assert name_from_email("amira.hassan@example.org") == "Amira Hassan"
    assert name_from_email("tom_o-kafor+fest@example.org") == "Tom O Kafor Fest"


def test_many_problems_are_reported_at_once() -> None:
    festival = FESTIVAL.replace("Europe/London", "Mars/Olympus")
    text = schedule(
        session(theme="joy", minutes=0),
        session(hosts='["nobody"]', extra='qa = "loud"\ncapacity = -3'),
        festival=festival,
    )
    result = check(text)
    assert result.schedule is None
    fields = {(p.location, p.field) for p in result.errors}
    assert {
        ("festival", "timezone"),
        ("session 'alpha'", "minutes"),
        ("session 'alpha'", "slug"),
        ("session 'alpha'", "hosts[1]"),
        ("session 'alpha'", "qa"),
        ("session 'alpha'", "capacity"),
    } <= fields
    assert len(result.errors) >= 6


def test_the_fingerprint_ignores_comments_and_layout() -> None:
    a = check(schedule(session())).schedule
    b = check("# a comment\n" + schedule(session()).replace(" = ", "=")).schedule
    assert a is not None and b is not None
    assert a.fingerprint() == b.fingerprint()


def test_the_demo_programme_checks_clean() -> None:
    result = check((PROJECT_ROOT / "schedule" / "networkfest-2026.toml").read_text("utf-8"))
    assert result.ok and not result.warnings
    assert result.schedule is not None
    sessions = result.schedule.sessions
    assert len(sessions) >= 30
    assert {s.format for s in sessions} == {"talk", "peer-circle", "workshop", "panel"}
    assert {s.minutes for s in sessions} >= {30, 45, 60, 90}
    assert len({s.theme for s in sessions}) == 3
    assert any(s.capacity is not None and s.capacity <= 12 for s in sessions)
