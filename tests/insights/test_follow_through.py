"""The dashboard's follow-through and poll turnout, four weeks after the festival: the
page, the CSV tables, the filters and the host's own view, on a festival worked out by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from networkfest.commitments.models import Commitment
from networkfest.extensions import db
from networkfest.polls.models import Poll, PollChoice
from tests.insights.conftest import attend

# Four weeks after the festival's last day.
NOW = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
SECRET = "Secret plan nobody else may read"
NOTE = "A private note on how it went"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute, tzinfo=UTC)


def commitment(festival_session, user, answer):
    made = festival_session.ends_at
    db.session.add(
        Commitment(
            session_id=festival_session.id,
            user_id=None if user is None else user.id,
            text="" if user is None else SECRET,
            note=NOTE if answer else "",
            made_at=made,
            updated_at=made,
            answer=answer,
            answered_at=None if answer is None else made + timedelta(weeks=4),
        )
    )


def poll(festival_session, question, status, answers):
    """A poll that ran (or a prepared one, `ready`); `answers` maps people to their options."""
    opened = None if status == "ready" else festival_session.starts_at + timedelta(minutes=10)
    row = Poll(
        session_id=festival_session.id,
        question=question,
        options=["Yes", "No", "Not sure"],
        multiple=True,
        results="live",
        status=status,
        open_in_session=festival_session.id if status == "open" else None,
        opened_at=opened,
        closed_at=festival_session.ends_at if status == "closed" else None,
        created_at=festival_session.starts_at,
    )
    db.session.add(row)
    db.session.flush()
    for person, options in answers.items():
        for option in options:
            db.session.add(
                PollChoice(poll_id=row.id, user_id=person.id, option=option, answered_at=opened)
            )


@pytest.fixture
def known(factory, clock):
    """A (method, Mon, host), B (purpose, Mon), C (method, Tue, other host), D cancelled."""
    clock.set(NOW)
    festival = factory.festival(follow_up_weeks=4)
    host, other_host = factory.user(name="Host"), factory.user(name="Other host")
    a = factory.session(
        festival, slug="a", title="A", theme="method", starts_at=at(21, 10), hosts=[host]
    )
    b = factory.session(festival, slug="b", title="B", theme="purpose", starts_at=at(21, 13))
    c = factory.session(
        festival,
        slug="c",
        title="C",
        theme="method",
        starts_at=at(22, 9),
        hosts=[other_host],
    )
    d = factory.session(
        festival, slug="d", title="D", theme="purpose", starts_at=at(22, 13), status="cancelled"
    )
    people = [factory.user(name=f"Named Person {i}") for i in range(8)]
    for answer, person in zip(("done", "done", "partly", None), people[:4], strict=True):
        commitment(a, person, answer)
    commitment(b, people[4], "not_yet")
    commitment(b, people[5], None)
    commitment(c, people[6], "done")
    commitment(c, None, "partly")  # someone who has since deleted their account
    commitment(d, people[7], "done")
    # Four people in A's room; one poll answered by three (one of them chose two options),
    # another still open answered by one, a prepared one never opened.
    for person in people[:4]:
        attend(a, person, at(21, 10, 1), at(21, 10, 44), sid=f"a-{person.id}")
    attend(c, people[6], at(22, 9, 1), at(22, 9, 40), sid="c-6")
    poll(a, "Which pitfall is yours?", "closed", {people[0]: [1, 2], people[1]: [1], host: [3]})
    poll(a, "Shall we meet again?", "open", {people[0]: [1]})
    poll(a, "Never asked", "ready", {})
    poll(c, "Is <b>this</b> useful?", "closed", {people[6]: [2]})
    db.session.commit()
    return {"festival": festival, "host": host}


# fmt: off
EXPECTED = [
    ["slug", "title", "theme", "commitments", "followed_up", "done", "partly", "not_yet"],
    ["a", "A", "method", "4", "3", "2", "1", "0"],
    ["b", "B", "purpose", "2", "1", "0", "0", "1"],
    ["c", "C", "method", "2", "2", "1", "1", "0"],
]
EXPECTED_POLLS = [
    ["slug", "title", "theme", "poll", "question", "status", "answered", "in_room", "share"],
    ["a", "A", "method", "1", "Which pitfall is yours?", "closed", "3", "4", "0.75"],
    ["a", "A", "method", "2", "Shall we meet again?", "open", "1", "4", "0.25"],
    ["c", "C", "method", "4", "Is <b>this</b> useful?", "closed", "1", "1", "1.0"],
]
# fmt: on


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_the_follow_through_csv_has_exactly_the_columns_and_the_known_figures(
    known, signed_in, factory
):
    client = signed_in(factory.organiser())

    response = client.get("/organiser/insights/follow-through.csv")

    assert read_csv(response) == EXPECTED
    assert (
        'filename="networkfest-2026-follow-through.csv"' in response.headers["Content-Disposition"]
    )


def test_the_dashboard_shows_the_festival_the_themes_and_each_session(known, signed_in, factory):
    html = signed_in(factory.organiser()).get("/organiser/insights").get_data(as_text=True)

    part = section(html, "follow-through-title")
    assert "People are asked how it went 4 weeks after the session." in part
    assert "counts the commitments that have an answer: done, partly or not yet" in part
    totals = part[part.index('id="follow-through-totals"') :]
    # The festival: 8 made, 6 answered (3 done, 2 partly, 1 not yet); D was cancelled.
    figures = [
        ("Commitments", "8"),
        ("Followed up", "6"),
        ("Done", "3"),
        ("Partly", "2"),
        ("Not yet", "1"),
    ]
    for label, value in figures:
        assert f"<dt>{label}</dt><dd>{value}" in totals
    assert "50% of the answers" in totals
    table = part[part.index('id="follow-through-table"') :]
    cells = [
        "Having a method",
        ">6<",
        ">5<",
        'href="/sessions/a"',
        'href="/sessions/c"',
        "Ruthless about purpose",
        'href="/sessions/b"',
    ]
    positions = [table.index(cell) for cell in cells]
    assert positions == sorted(positions)
    assert 'href="/sessions/d"' not in table


def test_nobody_and_nothing_they_wrote_is_shown(known, signed_in, factory):
    client = signed_in(factory.organiser())
    host = signed_in(known["host"])

    pages = [
        client.get("/organiser/insights").get_data(as_text=True),
        client.get("/organiser/insights/follow-through.csv").get_data(as_text=True),
        host.get("/host/insights").get_data(as_text=True),
        host.get("/host/insights/follow-through.csv").get_data(as_text=True),
    ]

    for text in pages:
        assert SECRET not in text and NOTE not in text
        assert "Named Person" not in text


def test_filters_narrow_the_follow_through(known, signed_in, factory):
    client = signed_in(factory.organiser())

    method = read_csv(client.get("/organiser/insights/follow-through.csv?theme=method"))
    tuesday = read_csv(client.get("/organiser/insights/follow-through.csv?day=2026-09-22"))
    html = client.get("/organiser/insights?theme=purpose").get_data(as_text=True)

    assert method == [EXPECTED[0], EXPECTED[1], EXPECTED[3]]
    assert tuesday == [EXPECTED[0], EXPECTED[3]]
    totals = section(html, "follow-through-title")
    assert "Selected sessions" in totals
    assert "<dt>Commitments</dt><dd>2" in totals and "<dt>Followed up</dt><dd>1" in totals
    assert "follow-through.csv?theme=purpose" in totals


def test_a_host_sees_their_own_sessions_figures_only(known, signed_in, factory):
    host = signed_in(known["host"])

    rows = read_csv(host.get("/host/insights/follow-through.csv"))
    polls = read_csv(host.get("/host/insights/polls.csv"))
    html = host.get("/host/insights").get_data(as_text=True)

    assert rows == [EXPECTED[0], EXPECTED[1]]
    assert polls == EXPECTED_POLLS[:3]
    part = section(html, "follow-through-title")
    assert "Your sessions" in part
    assert "<dt>Commitments</dt><dd>4" in part
    assert 'href="/sessions/a"' in part and 'href="/sessions/b"' not in part
    nobody = signed_in(factory.user())
    assert nobody.get("/host/insights/follow-through.csv").status_code == 403
    assert host.get("/organiser/insights/follow-through.csv").status_code == 403


def test_poll_turnout_per_session_and_per_poll(known, signed_in, factory):
    client = signed_in(factory.organiser())

    polls = read_csv(client.get("/organiser/insights/polls.csv"))
    html = client.get("/organiser/insights").get_data(as_text=True)

    assert polls == EXPECTED_POLLS
    part = section(html, "polls-title")
    assert "3 polls ran here, answered by 56% of the room on average" in part
    table = part[part.index('id="polls-table"') :]
    a = table[table.index('href="/sessions/a"') : table.index('href="/sessions/c"')]
    assert [cell in a for cell in ("2 polls", ">4<", ">50%<", ">75%<", ">25%<")] == [True] * 5
    assert "Never asked" not in html
    # A host's question is text, never markup.
    assert "Is &lt;b&gt;this&lt;/b&gt; useful?" in table and "<b>this</b>" not in html


def test_an_empty_festival_says_what_will_appear(signed_in, factory, festival):
    factory.session(festival, slug="later", title="Later")

    html = signed_in(factory.organiser()).get("/organiser/insights").get_data(as_text=True)

    assert "No commitments yet" in section(html, "follow-through-title")
    assert "No poll has run yet" in section(html, "polls-title")
    assert read_csv(
        signed_in(factory.organiser()).get("/organiser/insights/follow-through.csv")
    ) == [EXPECTED[0], ["later", "Later", "purpose", "0", "0", "0", "0", "0"]]
