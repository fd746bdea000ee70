"""The organisers' punctuality table and the clock partial on the live page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.live.models import Presence
from networkfest.timing.models import AgendaMove
from networkfest.timing.presenters import countdown, duration

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture
def programme(factory: Any, clock: SettableClock) -> dict[str, Any]:
    # Both sessions have ended, so both have a verdict (none before the end).
    clock.set(at(200))
    festival = factory.festival()
    host = factory.user(name="Hosting Hana")
    late = factory.session(
        festival,
        title="Late and long",
        starts_at=START,
        minutes=45,
        agenda=[("Welcome", 5), ("Bingo", 25), ("Questions", 15)],
        hosts=[host],
    )
    tidy = factory.session(
        festival,
        title="Tidy",
        starts_at=at(60),
        minutes=30,
        agenda=[("All of it", 30)],
        hosts=[host],
    )
    db.session.add_all(
        [
            # Tidy's host was in the lobby: the evidence that it started on time.
            Presence(
                session_id=tidy.id, user_id=host.id, sid="tidy", joined_at=at(55), left_at=at(90)
            ),
            AgendaMove(session_id=late.id, item_index=0, started_at=at(2)),
            AgendaMove(session_id=late.id, item_index=1, started_at=at(9)),
            AgendaMove(session_id=late.id, item_index=2, started_at=at(40)),
        ]
    )
    db.session.commit()
    return {"host": host, "late": late.slug, "tidy": tidy.slug}


def titles(body: str) -> list[str]:
    return re.findall(r"<td>(Late and long|Tidy)", body)


def test_organisers_see_the_punctuality_table(
    client: FlaskClient, login: Any, factory: Any, programme: dict[str, Any], clock: SettableClock
) -> None:
    clock.set(at(200))
    login(client, factory.organiser())
    response = client.get("/organiser/punctuality")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert titles(body) == ["Late and long", "Tidy"]
    assert "2 min 0 s" in body  # started late
    assert "No: cut off at the end" in body
    assert 'aria-sort="ascending"' in body
    assert "<script>" not in body and 'style="' not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=started_late&order=desc", ["Late and long", "Tidy"]),
        ("sort=started_late&order=asc", ["Tidy", "Late and long"]),
        ("sort=on_time&order=asc", ["Late and long", "Tidy"]),
        ("sort=on_time&order=desc", ["Tidy", "Late and long"]),
        ("sort=overran&order=desc", ["Late and long", "Tidy"]),
        ("sort=title&order=desc", ["Tidy", "Late and long"]),
        ("sort=starts&order=desc", ["Tidy", "Late and long"]),
    ],
)
def test_the_table_sorts_by_column(
    client: FlaskClient,
    login: Any,
    factory: Any,
    programme: dict[str, Any],
    query: str,
    expected: list[str],
) -> None:
    login(client, factory.organiser())
    assert titles(client.get(f"/organiser/punctuality?{query}").get_data(as_text=True)) == expected


@pytest.mark.parametrize("query", ["sort=nope", "order=sideways", "sort=title&order=1"])
def test_a_bad_sort_is_a_clear_400(
    client: FlaskClient, login: Any, factory: Any, programme: dict[str, Any], query: str
) -> None:
    login(client, factory.organiser())
    assert client.get(f"/organiser/punctuality?{query}").status_code == 400


def test_only_organisers_see_punctuality(
    client: FlaskClient, login: Any, factory: Any, programme: dict[str, Any]
) -> None:
    assert client.get("/organiser/punctuality").status_code in (302, 303, 401)
    login(client, factory.user())
    assert client.get("/organiser/punctuality").status_code == 403


def test_no_festival_is_a_404(client: FlaskClient, login: Any, factory: Any) -> None:
    login(client, factory.organiser())
    assert client.get("/organiser/punctuality").status_code == 404


def clock_data(body: str) -> dict[str, Any]:
    match = re.search(r"data-clock='([^']*)'", body)
    assert match, "the clock partial is on the page"
    return json.loads(match.group(1).replace("&#39;", "'"))


def test_the_live_page_shows_the_clock_without_javascript(
    client: FlaskClient, programme: dict[str, Any], clock: SettableClock
) -> None:
    clock.set(at(12))
    body = client.get(f"/sessions/{programme['late']}/live").get_data(as_text=True)
    data = clock_data(body)
    assert data["phase"] == "live" and data["item"]["title"] == "Bingo"
    assert "data-clock-countdown>33:00<" in body
    assert "Backstage timer" not in body and "data-clock-next" not in body
    assert "js/clock.js" in body and "css/timing.css" in body


def test_hosts_see_the_backstage_timer_and_the_summary_at_the_end(
    client: FlaskClient, login: Any, programme: dict[str, Any], clock: SettableClock
) -> None:
    login(client, programme["host"])
    clock.set(at(12))
    body = client.get(f"/sessions/{programme['late']}/live").get_data(as_text=True)
    assert "Backstage timer" in body and "data-clock-next" in body
    assert "Behind the run sheet by 4 min" in body
    clock.set(at(50))
    body = client.get(f"/sessions/{programme['late']}/live").get_data(as_text=True)
    assert "This session has ended." in body
    assert "The first item started 2 min late." in body
    assert "2 items ran over their timebox." in body
    assert "The hard stop cut the run sheet short." in body


def test_attendees_see_no_summary_at_the_end(
    client: FlaskClient, programme: dict[str, Any], clock: SettableClock
) -> None:
    clock.set(at(50))
    body = client.get(f"/sessions/{programme['late']}/live").get_data(as_text=True)
    assert "This session has ended." in body
    assert "How the session kept to time" not in body


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0:00"),
        (1, "0:01"),
        (999, "0:01"),
        (1000, "0:01"),
        (1001, "0:02"),
        (300_000, "5:00"),
        (3_600_000, "1:00:00"),
        (3_661_000, "1:01:01"),
        (-5000, "0:00"),
    ],
)
def test_countdown_text(ms: int, text: str) -> None:
    assert countdown(ms) == text


def test_duration_words() -> None:
    assert [duration(s) for s in (0, 59, 60, 61, 200)] == [
        "0 s",
        "59 s",
        "1 min",
        "1 min 1 s",
        "3 min 20 s",
    ]
