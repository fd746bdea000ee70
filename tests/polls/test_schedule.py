"""Prepared polls in schedule files: checked with every problem at once, published like any
other field, and kept in step with the live room's prepared polls."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from networkfest.extensions import db
from networkfest.polls.models import Poll
from networkfest.programme.queries import session_by_slug
from networkfest.programme.rules import PollSpec, check
from networkfest.programme.services import publish
from tests.programme.schedules import schedule, session

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
BINGO = (
    'polls = [{ question = "Which pitfall does your network have?", '
    'options = ["Unclear purpose", "Hard to show it was worth it", "Fizzling out"], '
    'multiple = true, results = "live" }, '
    '{ question = "Written method?", options = ["Yes", "No"] }]'
)


def located(text: str) -> list[tuple[str, str]]:
    return [(p.location, p.field) for p in check(text).errors]


def test_prepared_polls_parse_with_their_defaults() -> None:
    result = check(schedule(session(extra=BINGO)))
    assert result.ok, result.problems
    assert result.schedule is not None
    (alpha,) = result.schedule.sessions
    assert alpha.polls == (
        PollSpec(
            "Which pitfall does your network have?",
            ("Unclear purpose", "Hard to show it was worth it", "Fizzling out"),
            True,
            "live",
        ),
        PollSpec("Written method?", ("Yes", "No"), False, "live"),
    )


def test_every_poll_problem_is_reported_at_once_with_its_place() -> None:
    polls = (
        "polls = ["
        f'{{ question = "{"q" * 201}", options = ["A"] }}, '
        '{ question = "Fine?", options = ["Yes", "yes", "' + "o" * 101 + '"], results = "soon" }, '
        '{ options = ["A", "B"], colour = "red" }, '
        '{ question = "Many?", options = ["1","2","3","4","5","6","7","8","9","10","11"], '
        'multiple = "yes" }'
        "]"
    )
    problems = located(schedule(session(extra=polls)))
    where = "session 'alpha', poll #"
    assert problems == [
        (f"{where}1", "question"),
        (f"{where}1", "options"),
        (f"{where}2", "options[2]"),
        (f"{where}2", "options[3]"),
        (f"{where}2", "results"),
        (f"{where}3", "colour"),
        (f"{where}3", "question"),
        (f"{where}4", "options"),
        (f"{where}4", "multiple"),
    ]


def test_polls_must_be_a_list_of_tables() -> None:
    assert located(schedule(session(extra='polls = "yes"'))) == [("session 'alpha'", "polls")]


def rows(slug: str = "alpha") -> list[tuple[int | None, str, str]]:
    festival_session = session_by_slug(db.session, slug)
    assert festival_session is not None
    return [
        (p.prepared_position, p.question, p.status)
        for p in db.session.scalars(
            select(Poll).where(Poll.session_id == festival_session.id).order_by(Poll.id)
        )
    ]


def test_publishing_prepares_the_polls_and_records_changes(app) -> None:
    first = publish(db.session, schedule(session(extra=BINGO)), NOW)
    assert first.ok and first.version == 1
    assert rows() == [
        (0, "Which pitfall does your network have?", "ready"),
        (1, "Written method?", "ready"),
    ]
    first_ids = [p.id for p in db.session.scalars(select(Poll).order_by(Poll.id))]
    # The same file again: no version, nothing moves.
    assert publish(db.session, schedule(session(extra=BINGO)), NOW).version is None
    reworded = BINGO.replace("Written method?", "Do you have a written method?")
    second = publish(db.session, schedule(session(extra=reworded)), NOW)
    assert second.version == 2
    assert [(c.kind, c.fields) for c in second.changes] == [("changed", ("polls",))]
    assert second.changes[0].as_json()["fields"] == ["polls"]
    assert rows()[1] == (1, "Do you have a written method?", "ready")
    assert [p.id for p in db.session.scalars(select(Poll).order_by(Poll.id))] == first_ids
    third = publish(db.session, schedule(session()), NOW)
    assert [(c.kind, c.fields) for c in third.changes] == [("changed", ("polls",))]
    assert rows() == []


def test_a_poll_that_ran_stays_as_it_ran(app) -> None:
    publish(db.session, schedule(session(extra=BINGO)), NOW)
    ran = db.session.scalars(select(Poll).where(Poll.prepared_position == 0)).one()
    ran.status = "closed"
    db.session.commit()
    changed = BINGO.replace("Fizzling out", "Fading away")
    publish(db.session, schedule(session(extra=changed)), NOW)
    assert rows() == [
        (None, "Which pitfall does your network have?", "closed"),
        (1, "Written method?", "ready"),
        (0, "Which pitfall does your network have?", "ready"),
    ]
