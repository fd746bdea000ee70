"""`[festival] follow_up_weeks`: checked (a whole number of weeks, 0 to 52, every problem at
once), stored on publish, and a change to it alone is a new version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from networkfest.extensions import db
from networkfest.programme.queries import current_festival
from networkfest.programme.rules import check
from networkfest.programme.services import publish
from tests.programme.schedules import schedule, session

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def weeks(value: str) -> str:
    return schedule(session(), extra=f"follow_up_weeks = {value}\n")


def test_optional_with_four_weeks_by_default() -> None:
    result = check(schedule(session()))
    assert result.ok and result.schedule is not None
    assert result.schedule.festival.follow_up_weeks == 4


@pytest.mark.parametrize("value", [0, 1, 52])
def test_whole_weeks_from_0_to_52(value: int) -> None:
    result = check(weeks(str(value)))
    assert result.ok, result.problems
    assert result.schedule is not None and result.schedule.festival.follow_up_weeks == value


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("53", "between 0 and 52 (got 53)"),
        ("-1", "between 0 and 52 (got -1)"),
        ("2.5", "whole number"),
        ('"4"', "whole number"),
        ("true", "whole number"),
    ],
)
def test_anything_else_is_an_error_naming_the_field(value: str, fragment: str) -> None:
    result = check(weeks(value))
    assert not result.ok
    messages = [
        p.message for p in result.errors if (p.location, p.field) == ("festival", "follow_up_weeks")
    ]
    assert len(messages) == 1 and fragment in messages[0], result.problems


def test_reported_with_the_files_other_problems() -> None:
    text = schedule(session(minutes=-5), extra="follow_up_weeks = 99\nlobby = 3\n")
    fields = {(p.location, p.field) for p in check(text).errors}
    assert ("festival", "follow_up_weeks") in fields
    assert len(fields) >= 3, fields


def test_stored_on_publish_and_a_change_alone_is_a_new_version(app) -> None:
    assert publish(db.session, weeks("6"), NOW).version == 1
    assert current_festival(db.session).follow_up_weeks == 6

    changed = publish(db.session, weeks("0"), NOW)

    assert changed.version == 2
    assert [(c.kind, c.fields) for c in changed.changes] == [("festival", ("follow-ups",))]
    assert current_festival(db.session).follow_up_weeks == 0
    assert publish(db.session, schedule(session()), NOW).version == 3
    assert current_festival(db.session).follow_up_weeks == 4
