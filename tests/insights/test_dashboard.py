"""The dashboard against a fixture festival whose every figure is worked out by hand."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from networkfest.extensions import db
from networkfest.insights import services
from networkfest.insights.figures import SESSION_COLUMNS
from networkfest.insights.models import Feedback
from networkfest.qa.models import Question
from networkfest.timing.models import AgendaMove
from tests.insights.conftest import attend

NOW = datetime(2026, 9, 23, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute, second, tzinfo=UTC)


def feedback(session, user, worth, different, follow_up):
    db.session.add(
        Feedback(
            session_id=session.id,
            user_id=user.id,
            worth=worth,
            different=different,
            follow_up=follow_up,
            created_at=session.ends_at,
            updated_at=session.ends_at,
        )
    )


@pytest.fixture
def known(factory, clock):
    """A (method, Mon), B (purpose, Mon), C (method, Tue), D (cancelled), E (learning, Thu)."""
    clock.set(NOW)
    festival = factory.festival()
    host, other_host = factory.user(name="Host"), factory.user(name="Other host")
    agenda = [("Welcome", 5), ("Main", 25), ("Questions", 15)]
    a = factory.session(
        festival,
        slug="a",
        title="A",
        theme="method",
        starts_at=at(21, 10),
        agenda=agenda,
        hosts=[host],
    )
    b = factory.session(festival, slug="b", title="B", theme="purpose", starts_at=at(21, 13))
    c = factory.session(
        festival,
        slug="c",
        title="C",
        theme="method",
        starts_at=at(22, 9),
        agenda=agenda,
        hosts=[other_host],
    )
    d = factory.session(
        festival, slug="d", title="D", theme="purpose", starts_at=at(22, 13), status="cancelled"
    )
    e = factory.session(festival, slug="e", title="E", theme="learning", starts_at=at(24, 9))
    u = [None] + [factory.user(name=f"User {i}") for i in range(1, 7)]
    signed = at(20, 9)
    for person in u[1:5]:
        factory.registration(a, person, "confirmed", signed)
    factory.registration(a, u[5], "waitlisted", signed)
    factory.registration(b, u[1], "confirmed", signed)
    factory.registration(b, u[2], "confirmed", signed)
    factory.registration(c, u[3], "confirmed", signed)
    factory.registration(d, u[4], "confirmed", signed)
    # A: two tabs of u1, a reconnect of u2, u3 late, an anonymous watcher, u6 unregistered.
    attend(a, u[1], at(21, 10, 0), at(21, 10, 30), sid="u1-tab1")
    attend(a, u[1], at(21, 10, 5), at(21, 10, 40), sid="u1-tab2")
    attend(a, u[2], at(21, 10, 2), at(21, 10, 20), sid="u2-first")
    attend(a, u[2], at(21, 10, 21), at(21, 10, 45), sid="u2-again")
    attend(a, u[3], at(21, 10, 30), at(21, 10, 44), sid="u3")
    attend(a, None, at(21, 10, 0), at(21, 10, 45), sid="anonymous")
    attend(a, u[6], at(21, 10, 35), at(21, 10, 38), sid="u6")
    attend(a, u[5], at(21, 9, 52), at(21, 9, 59), sid="u5-lobby-only")
    attend(b, u[1], at(21, 13, 0), at(21, 13, 45), sid="b-u1")
    attend(d, u[4], at(22, 13, 0), at(22, 13, 5), sid="d-u4")
    for status in ("answered", "visible", "hidden"):
        db.session.add(
            Question(
                session_id=a.id,
                text=status,
                status=status,
                created_at=at(21, 10, 20),
                updated_at=at(21, 10, 20),
            )
        )
    db.session.add_all(
        [
            AgendaMove(session_id=a.id, item_index=0, started_at=at(21, 10, 2)),
            AgendaMove(session_id=a.id, item_index=1, started_at=at(21, 10, 9)),
            AgendaMove(session_id=a.id, item_index=2, started_at=at(21, 10, 33)),
            AgendaMove(session_id=c.id, item_index=0, started_at=at(22, 9, 0, 30)),
            AgendaMove(session_id=c.id, item_index=1, started_at=at(22, 9, 5, 30)),
        ]
    )
    feedback(a, u[1], 5, "Use timeboxes", True)
    feedback(a, u[2], 4, "", True)
    feedback(a, u[3], 3, "", False)
    feedback(b, u[1], 2, "=SUM(A1)", False)
    db.session.commit()
    return {"festival": festival, "host": host, "other_host": other_host, "e": e}


# Punctuality is the timing helper's verdict: A's last item could not finish its timebox,
# B has no record (no host came, nothing moved), C never reached its last item, E has not
# ended yet.
# fmt: off
EXPECTED_SESSIONS = [
    ["a", "A", "method", "4", "1", "4", "0.25", "4", "3", "1", "120", "1", "false", "4.0", "3", "2"],  # noqa: E501
    ["b", "B", "purpose", "2", "0", "1", "0.5", "1", "0", "0", "", "", "", "2.0", "1", "0"],
    ["c", "C", "method", "1", "0", "0", "1.0", "0", "0", "0", "30", "1", "false", "", "0", "0"],
    ["e", "E", "learning", "0", "0", "0", "", "0", "0", "0", "", "", "", "", "0", "0"],
]
EXPECTED_THEMES = [
    ["method", "Having a method", "2", "5", "1", "4", "0.4", "4", "3", "1", "75.0", "2", "0", "4.0", "3", "2"],  # noqa: E501
    ["purpose", "Ruthless about purpose", "1", "2", "0", "1", "0.5", "1", "0", "0", "", "0", "0", "2.0", "1", "0"],  # noqa: E501
    ["learning", "Learning between peers", "1", "0", "0", "0", "", "0", "0", "0", "", "0", "0", "", "0", "0"],  # noqa: E501
]
EXPECTED_DAYS = [
    ["2026-09-21", "Monday 21 September", "2", "6", "1", "5", "0.333", "4", "3", "1", "120.0", "1", "0", "3.5", "4", "2"],  # noqa: E501
    ["2026-09-22", "Tuesday 22 September", "1", "1", "0", "0", "1.0", "0", "0", "0", "30.0", "1", "0", "", "0", "0"],  # noqa: E501
    ["2026-09-24", "Thursday 24 September", "1", "0", "0", "0", "", "0", "0", "0", "", "0", "0", "", "0", "0"],  # noqa: E501
]
# fmt: on


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_sessions_csv_has_exactly_the_columns_and_the_known_figures(known, signed_in, factory):
    client = signed_in(factory.organiser())

    rows = read_csv(client.get("/organiser/insights/sessions.csv"))

    assert rows[0] == list(SESSION_COLUMNS)
    assert rows[0] == [
        "slug",
        "title",
        "theme",
        "registered",
        "waitlisted",
        "attended",
        "no_show_rate",
        "peak_concurrent",
        "questions",
        "answered",
        "started_late_s",
        "overran_items",
        "ended_on_time",
        "worth_mean",
        "worth_count",
        "follow_up_yes",
    ]
    assert rows[1:] == EXPECTED_SESSIONS


def test_theme_day_and_answer_tables(known, signed_in, factory):
    client = signed_in(factory.organiser())

    themes = read_csv(client.get("/organiser/insights/themes.csv"))
    days = read_csv(client.get("/organiser/insights/days.csv"))
    different = read_csv(client.get("/organiser/insights/different.csv"))

    assert themes[0] == [
        "key",
        "label",
        "sessions",
        "registered",
        "waitlisted",
        "attended",
        "no_show_rate",
        "peak_concurrent",
        "questions",
        "answered",
        "started_late_s_mean",
        "overran_items",
        "ended_on_time",
        "worth_mean",
        "worth_count",
        "follow_up_yes",
    ]
    assert themes[1:] == EXPECTED_THEMES
    assert days[1:] == EXPECTED_DAYS
    assert different == [
        ["slug", "title", "theme", "different"],
        ["a", "A", "method", "Use timeboxes"],
        ["b", "B", "purpose", "'=SUM(A1)"],
    ]
    assert client.get("/organiser/insights/secrets.csv").status_code == 404


def test_festival_totals(known):
    data = services.dashboard_data(db.session, known["festival"], NOW)
    totals = data.figures.festival

    assert (totals.sessions, totals.registered, totals.waitlisted, totals.attended) == (4, 7, 1, 5)
    assert (totals.no_show_rate, totals.peak_concurrent) == (0.429, 4)
    assert (totals.questions, totals.answered, totals.started_late_s_mean) == (3, 1, 75.0)
    assert (totals.overran_items, totals.ended_on_time) == (2, 0)
    assert (totals.worth_mean, totals.worth_count, totals.follow_up_yes) == (3.5, 4, 2)


def test_filters_and_sorting(known, signed_in, factory):
    client = signed_in(factory.organiser())

    method = read_csv(client.get("/organiser/insights/sessions.csv?theme=method"))
    tuesday = read_csv(client.get("/organiser/insights/sessions.csv?day=2026-09-22"))
    nonsense = read_csv(client.get("/organiser/insights/sessions.csv?theme=nope&day=1999-01-01"))

    assert [row[0] for row in method[1:]] == ["a", "c"]
    assert [row[0] for row in tuesday[1:]] == ["c"]
    assert [row[0] for row in nonsense[1:]] == ["a", "b", "c", "e"]

    page = client.get("/organiser/insights?sort=worth_mean&dir=desc&theme=method")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html[html.index('id="sessions-table"') :]
    assert table.index('href="/sessions/a"') < table.index('href="/sessions/c"')
    assert 'aria-sort="descending"' in table
    ascending = client.get("/organiser/insights?sort=no_show_rate").get_data(as_text=True)
    rows = ascending[ascending.index('id="sessions-table"') :]
    order = [rows.index(f'href="/sessions/{slug}"') for slug in ("a", "b", "c", "e")]
    assert order == sorted(order)
    assert client.get("/organiser/insights?sort=drop+table").status_code == 200


def page_order(html: str) -> list[str]:
    """The slugs of the sessions table's rows, top to bottom."""
    table = html[
        html.index('id="sessions-table"') : html.index(
            "</table>", html.index('id="sessions-table"')
        )
    ]
    return re.findall(r'<a href="/sessions/([a-z]+)">', table)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=started_late_s&dir=desc", ["a", "c", "b", "e"]),
        ("sort=started_late_s&dir=asc", ["c", "a", "b", "e"]),
        ("sort=worth_mean&dir=asc", ["b", "a", "c", "e"]),
        ("sort=title&dir=desc", ["e", "c", "b", "a"]),
        ("sort=title&dir=desc&theme=method", ["c", "a"]),
        # Unknown values fall back as on the page: start time, ascending; never an error.
        ("sort=drop+table&dir=sideways", ["a", "b", "c", "e"]),
    ],
)
def test_sessions_csv_comes_in_the_pages_order(known, signed_in, factory, query, expected):
    client = signed_in(factory.organiser())

    page = client.get(f"/organiser/insights?{query}")
    rows = read_csv(client.get(f"/organiser/insights/sessions.csv?{query}"))

    assert page.status_code == 200
    assert page_order(page.get_data(as_text=True)) == expected
    assert [row[0] for row in rows[1:]] == expected


def sort_menu(html: str) -> list[tuple[str, str]]:
    """The "Sort sessions by" menu's options, as (value, words)."""
    menu = html[
        html.index('<select id="filter-sort"') : html.index(
            "</select>", html.index('id="filter-sort"')
        )
    ]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', menu)


def column_headings(html: str) -> dict[str, str]:
    """The sessions table's sortable headings, by the sort key their link sets."""
    table = html[
        html.index('id="sessions-table"') : html.index(
            "</thead>", html.index('id="sessions-table"')
        )
    ]
    return dict(
        re.findall(r'sort=([a-z_]+)[^"]*">([^<]+)<span class="visually-hidden">, sort', table)
    )


@pytest.mark.parametrize("page", ["/organiser/insights", "/host/insights"])
def test_the_sort_menu_reads_as_the_table_headings(page, known, signed_in, factory):
    person = known["host"] if page.startswith("/host") else factory.organiser()
    html = signed_in(person).get(page + "?sort=follow_up_yes").get_data(as_text=True)

    options = sort_menu(html)
    headings = column_headings(html)

    assert options[:3] == [("starts", "Start time"), ("title", "Title"), ("theme", "Theme")]
    assert dict(options[3:]) == headings
    assert headings["no_show_rate"] == "No-show rate"
    assert headings["started_late_s"] == "Late start"
    assert headings["follow_up_yes"] == "Follow-up yes"
    # The keys are public (`?sort=`): exactly those the page has always taken.
    assert {key for key, _ in options} == (set(SESSION_COLUMNS) - {"slug"}) | {"starts"}
    assert '<option value="follow_up_yes" selected>Follow-up yes</option>' in html
    assert "sorted by follow-up yes</caption>" in html
    assert "_" not in "".join(words for _, words in options)


def test_dashboard_page_draws_accessible_charts(known, signed_in, factory):
    html = signed_in(factory.organiser()).get("/organiser/insights").get_data(as_text=True)

    assert html.count('role="img"') == 4
    for title in (
        "Attendance by day",
        "Attendance by theme",
        "Worth it, by theme",
        "Late starts across the week",
    ):
        assert f">{title}</title>" in html
    assert "<desc" in html and "Having a method: 4 people." in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "Use timeboxes" in html
    assert "&#39;=SUM(A1)" not in html and "=SUM(A1)" in html


def test_only_organisers_see_the_festival_dashboard(known, signed_in, client):
    host = signed_in(known["host"])
    assert host.get("/organiser/insights").status_code == 403
    assert host.get("/organiser/insights/sessions.csv").status_code == 403
    assert client.get("/organiser/insights").status_code in (302, 401)


def test_hosts_see_their_own_sessions_only(known, signed_in, factory):
    host = signed_in(known["host"])

    rows = read_csv(host.get("/host/insights/sessions.csv"))
    page = host.get("/host/insights")

    assert rows[1:] == [EXPECTED_SESSIONS[0]]
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/sessions/a"' in html and 'href="/sessions/c"' not in html
    assert host.get("/sessions/c/feedback/results").status_code == 403
    nobody = signed_in(factory.user())
    assert nobody.get("/host/insights").status_code == 403
    assert nobody.get("/host/insights/sessions.csv").status_code == 403
