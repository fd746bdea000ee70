"""Punctuality agrees everywhere: the punctuality page, the dashboard, sessions.csv and the
timing service give each session the same record, for each case: on time, late start, never
started, host never came, and not yet run."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.insights import services as insights
from networkfest.programme.queries import current_festival
from networkfest.registration import services as registration
from networkfest.timing import services as timing
from networkfest.timing.models import AgendaMove
from tests.insights.conftest import attend

DAY = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)  # 10:00 BST
NOW = DAY + timedelta(hours=7)
AGENDA = [("Welcome", 5), ("Main part", 25), ("Questions", 15)]

# title → (verdict, started_late_s, overran_items, ended_on_time) as every surface must say it.
EXPECTED: dict[str, tuple[str, int | None, int | None, bool | None]] = {
    "On time": ("recorded", 0, 0, True),
    "Late start": ("recorded", 360, 0, False),
    "Never started": ("no_record", None, None, None),
    "Host never came": ("no_record", None, None, None),
    "Not yet run": ("not_yet", None, None, None),
}


def at(hours: float, minutes: float = 0) -> datetime:
    return DAY + timedelta(hours=hours, minutes=minutes)


@pytest.fixture
def cases(factory: Any, clock: SettableClock) -> dict[str, Any]:
    clock.set(NOW)
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    people = [factory.user(name=f"Person {n}") for n in range(3)]
    made = {}
    for hour, title in enumerate(EXPECTED):
        starts = at(hour) if title != "Not yet run" else NOW + timedelta(minutes=20)
        made[title] = factory.session(
            festival, title=title, starts_at=starts, agenda=AGENDA, hosts=[host]
        )
        for person in people:
            registration.register(db.session, made[title], person, DAY - timedelta(days=1))
    on_time, late, never, absent = (made[t] for t in list(EXPECTED)[:4])
    # On time: the host was in the lobby and moved the run sheet on plan.
    attend(on_time, host, at(0, -4), at(0, 45), sid="host-1")
    db.session.add_all(
        [
            AgendaMove(session_id=on_time.id, item_index=1, started_at=at(0, 4.5)),
            AgendaMove(session_id=on_time.id, item_index=2, started_at=at(0, 29.5)),
        ]
    )
    # Late start: the host came six minutes after the start and let the clock run the sheet.
    attend(late, host, at(1, 6), at(1, 45), sid="host-2")
    # Never started: nobody came, nothing moved.
    # Host never came: the attendees came, the host did not.
    for n, person in enumerate(people):
        attend(absent, person, at(3, -1), at(3, 44), sid=f"person-{n}")
        attend(late, person, at(1, 0), at(1, 44), sid=f"late-{n}")
    # Not yet run: the host is already in the lobby; still no verdict before the end.
    attend(made["Not yet run"], host, NOW - timedelta(minutes=1), None, sid="host-5")
    db.session.commit()
    return {"festival": festival, "sessions": made, "never": never}


def cells(html: str, title: str) -> str:
    """The table row (as HTML) whose session is `title`."""
    row = next(r for r in html.split("<tr") if re.search(rf">\s*{re.escape(title)}\s*<", r))
    return re.sub(r"\s+", " ", row)


def test_the_timing_service_keeps_the_record(cases: dict[str, Any]) -> None:
    rows = timing.punctuality_report(db.session, cases["festival"], NOW)
    got = {
        r.session.title: (r.verdict, r.started_late_s, r.overran_items, r.ended_on_time)
        for r in rows
    }
    assert got == EXPECTED


def test_sessions_csv_leaves_the_cells_empty_without_a_verdict(
    cases: dict[str, Any], client: FlaskClient, login: Any, factory: Any
) -> None:
    login(client, factory.organiser())
    response = client.get("/organiser/insights/sessions.csv")
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    for title, (_verdict, late, overran, on_time) in EXPECTED.items():
        row = rows[title]
        assert row["started_late_s"] == ("" if late is None else str(late)), title
        assert row["overran_items"] == ("" if overran is None else str(overran)), title
        expected_on_time = "" if on_time is None else ("true" if on_time else "false")
        assert row["ended_on_time"] == expected_on_time, title


def test_the_punctuality_page_says_not_yet_and_no_record(
    cases: dict[str, Any], client: FlaskClient, login: Any, factory: Any
) -> None:
    login(client, factory.organiser())
    page = client.get("/organiser/punctuality").get_data(as_text=True)
    html = page[page.index("<tbody>") :]
    assert "On time" in cells(html, "On time") and "badge--ok" in cells(html, "On time")
    assert "6 min 0 s" in cells(html, "Late start")
    assert "No: cut off at the end" in cells(html, "Late start")
    for title in ("Never started", "Host never came"):
        row = cells(html, title)
        assert "No record:" in row and "On time" not in row and "Yes" not in row
    row = cells(html, "Not yet run")
    assert "Not yet:" in row and "On time" not in row and "Yes" not in row
    assert re.search(r"ends at <time [^>]*>\d\d:\d\d BST</time>", row)
    assert "<strong>2</strong> of 5 sessions have a record" in re.sub(r"\s+", " ", page)


def test_the_dashboard_agrees(
    cases: dict[str, Any], client: FlaskClient, login: Any, factory: Any
) -> None:
    login(client, factory.organiser())
    html = client.get("/organiser/insights").get_data(as_text=True)
    table = html[html.index('id="sessions-table"') :]
    table = table[table.index("<tbody>") : table.index("</table>")]
    assert "On time" in cells(table, "On time")
    assert "6 min" in cells(table, "Late start")
    for title in ("Never started", "Host never came"):
        assert "No record" in cells(table, title) and "On time" not in cells(table, title)
    assert "Not yet" in cells(table, "Not yet run")
    assert "On time" not in cells(table, "Not yet run")
    festival = current_festival(db.session)
    assert festival is not None
    figures = {
        f.title: (f.punctuality, f.started_late_s, f.overran_items, f.ended_on_time)
        for f in insights.dashboard_data(db.session, festival, NOW).figures.sessions
    }
    assert figures == EXPECTED


def test_the_api_claims_no_verdict(cases: dict[str, Any], client: FlaskClient) -> None:
    """The JSON API exposes no punctuality; nothing there reads as "on time"."""
    body = client.get(f"/api/v1/sessions/{cases['sessions']['Not yet run'].slug}").get_json()
    assert not {"started_late_s", "overran_items", "ended_on_time"} & set(body)
