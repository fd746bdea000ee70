"""The public iCalendar feeds, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import event as sa_event
from sqlalchemy import text, update

from networkfest.extensions import db
from networkfest.process_cache import UNTOLD_S
from networkfest.programme.models import Festival
from tests.factories import FESTIVAL_START
from tests.feeds.conftest import PUBLISHED_AT, publish
from tests.statements import counted

FEEDS = ["/schedule.ics", "/themes/purpose.ics"]


def events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def programme(factory: Any, festival: Festival) -> dict[str, Any]:
    host = factory.user(name="Asha Patel")
    bingo = factory.session(
        festival, slug="network-bingo", title="Network bingo", hosts=[host], sequence=2
    )
    method = factory.session(
        festival,
        slug="run-sheets",
        title="Run sheets, and why",
        theme="method",
        starts_at=FESTIVAL_START + timedelta(days=1),
    )
    gone = factory.session(festival, slug="gone", title="Gone", status="cancelled", sequence=3)
    return {"bingo": bingo, "method": method, "gone": gone, "host": host}


def test_schedule_feed_lists_every_session_with_stable_uids(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    first = client.get("/schedule.ics")
    second = client.get("/schedule.ics")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.data == second.data
    assert set(events(first.data)) == {
        "network-bingo@networkfest-2026.networkfest",
        "run-sheets@networkfest-2026.networkfest",
        "gone@networkfest-2026.networkfest",
    }


def test_event_fields(client: FlaskClient, programme: dict[str, Any]) -> None:
    event = events(client.get("/schedule.ics").data)["network-bingo@networkfest-2026.networkfest"]
    assert event.DTSTAMP == PUBLISHED_AT
    assert event["SEQUENCE"] == 2
    assert str(event["SUMMARY"]) == "Network bingo"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "http://localhost/sessions/network-bingo"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.start == FESTIVAL_START + timedelta(hours=1)
    assert event.end == FESTIVAL_START + timedelta(hours=1, minutes=45)
    assert event.categories == ["Ruthless about purpose"]
    description = str(event["DESCRIPTION"])
    assert "Leave with one thing to try in your own network." in description
    assert "Hosted by Asha Patel." in description
    assert "http://localhost/sessions/network-bingo/live" in description
    assert "meet.example.org" not in description


def test_cancelled_session_stays_as_cancelled(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    event = events(client.get("/schedule.ics").data)["gone@networkfest-2026.networkfest"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert "/live" not in str(event["DESCRIPTION"])


def test_calendar_properties_for_subscriptions(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    body = client.get("/schedule.ics").data
    text = body.decode()
    calendar = Calendar.from_ical(body)
    assert str(calendar["NAME"]) == "Networkfest 2026"
    assert str(calendar["X-WR-CALNAME"]) == "Networkfest 2026"
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    assert calendar.get("METHOD") is None


def test_a_vtimezone_for_every_tzid_kept_to_the_festival_dates(
    client: FlaskClient, programme: dict[str, Any]
) -> None:
    calendar = Calendar.from_ical(client.get("/schedule.ics").data)
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    used = {
        event[prop].params["TZID"]
        for event in calendar.walk("VEVENT")
        for prop in ("DTSTART", "DTEND")
    }
    assert used == zones == {"Europe/London"}
    assert len(client.get("/schedule.ics").data) < 6000
    for vtimezone in calendar.walk("VTIMEZONE"):
        for observance in vtimezone.subcomponents:
            assert observance.DTSTART.year == 2026


def test_other_zones_get_their_own_vtimezone(client: FlaskClient, factory: Any) -> None:
    festival = factory.festival(timezone="America/New_York")
    publish(festival)
    factory.session(festival, slug="east")
    calendar = Calendar.from_ical(client.get("/schedule.ics").data)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"America/New_York"}
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.start == FESTIVAL_START + timedelta(hours=1)


def test_a_session_ending_in_the_repeated_hour_lasts_its_full_length(
    client: FlaskClient, factory: Any
) -> None:
    """00:30 BST to 01:30 GMT on the night the clocks go back: 01:30 happens twice, and a
    calendar reads a repeated local time as the first (BST) one, so the end is given in UTC."""
    festival = factory.festival(starts=date(2026, 10, 19), ends=date(2026, 10, 25))
    publish(festival)
    starts_at = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 00:30 BST on the 25th
    factory.session(festival, slug="late", starts_at=starts_at, minutes=120)
    factory.session(festival, slug="early", starts_at=starts_at - timedelta(hours=3))
    for path in ("/schedule.ics", "/sessions/late.ics", "/themes/purpose.ics"):
        body = client.get(path).data
        event = events(body)["late@networkfest-2026.networkfest"]
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event.end - event.start == timedelta(minutes=120)
        assert event.end == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        assert b"\r\nDTEND:20261025T013000Z\r\n" in body
    unaffected = events(client.get("/schedule.ics").data)["early@networkfest-2026.networkfest"]
    assert unaffected["DTEND"].params["TZID"] == "Europe/London"


def test_dtstamp_is_the_current_versions_publishing_time(
    client: FlaskClient, programme: dict[str, Any], festival: Festival
) -> None:
    festival.version = 2
    programme["bingo"].sequence = 3
    db.session.commit()
    later = datetime(2026, 9, 10, 9, 0, tzinfo=UTC)
    publish(festival, later)
    event = events(client.get("/schedule.ics").data)["network-bingo@networkfest-2026.networkfest"]
    stamp = event.DTSTAMP
    assert stamp == later
    assert event["SEQUENCE"] == 3


def test_unpublished_festival_gets_a_fixed_dtstamp(client: FlaskClient, factory: Any) -> None:
    festival = factory.festival()
    factory.session(festival, slug="draft")
    first = client.get("/schedule.ics").data
    assert first == client.get("/schedule.ics").data
    event = events(first)["draft@networkfest-2026.networkfest"]
    stamp = event.DTSTAMP
    assert stamp == datetime.combine(date(2026, 9, 21), datetime.min.time(), tzinfo=UTC)


def test_theme_feed_has_only_its_theme(client: FlaskClient, programme: dict[str, Any]) -> None:
    response = client.get("/themes/method.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["NAME"]) == "Networkfest 2026: Having a method"
    assert set(events(response.data)) == {"run-sheets@networkfest-2026.networkfest"}
    purpose = events(client.get("/themes/purpose.ics").data)
    assert set(purpose) == {
        "network-bingo@networkfest-2026.networkfest",
        "gone@networkfest-2026.networkfest",
    }


def test_session_feed_has_one_event(client: FlaskClient, programme: dict[str, Any]) -> None:
    response = client.get("/sessions/network-bingo.ics")
    assert response.status_code == 200
    assert list(events(response.data)) == ["network-bingo@networkfest-2026.networkfest"]
    assert str(Calendar.from_ical(response.data)["NAME"]) == "Networkfest 2026: Network bingo"
    cancelled = events(client.get("/sessions/gone.ics").data)
    assert str(cancelled["gone@networkfest-2026.networkfest"]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(
    "path",
    [
        "/themes/nope.ics",
        "/sessions/nope.ics",
        "/sessions/" + "x" * 500 + ".ics",
        "/themes/" + "x" * 500 + ".ics",
        "/sessions/%00%ff.ics",
        "/themes/%E2%98%83.ics",
        "/calendar/.ics",
    ],
)
def test_unknown_slugs_get_a_friendly_404(
    client: FlaskClient, programme: dict[str, Any], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"could not find" in response.data


@pytest.mark.parametrize("path", ["/schedule.ics", "/schedule.json", "/schedule.xml"])
def test_no_festival_yet_is_a_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/schedule.ics",
        "/themes/purpose.ics",
        "/sessions/network-bingo.ics",
        "/schedule.json",
        "/schedule.xml",
    ],
)
def test_every_public_feed_answers_304_until_the_programme_changes(
    client: FlaskClient, programme: dict[str, Any], festival: Festival, path: str
) -> None:
    response = client.get(path)
    etag = response.headers["ETag"]
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert not etag.startswith("W/")

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        cached = client.get(path, headers={"If-None-Match": header})
        assert cached.status_code == 304, header
        assert cached.data == b""
        assert cached.headers["ETag"] == etag
        assert cached.headers["Cache-Control"] == "public, max-age=300"
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200

    festival.version += 1
    db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_feeds_differ_in_etag(client: FlaskClient, programme: dict[str, Any]) -> None:
    tags = {
        client.get(path).headers["ETag"]
        for path in ("/schedule.ics", "/themes/purpose.ics", "/themes/method.ics", "/schedule.json")
    }
    assert len(tags) == 4


def test_head_answers_like_get(client: FlaskClient, programme: dict[str, Any]) -> None:
    response = client.head("/schedule.ics")
    assert response.status_code == 200
    assert response.headers["ETag"] == client.get("/schedule.ics").headers["ETag"]


def test_titles_with_special_characters_survive(client: FlaskClient, factory: Any) -> None:
    festival = factory.festival()
    publish(festival)
    factory.session(festival, slug="odd", title="Commas, semicolons; and \\ backslashes")
    event = events(client.get("/schedule.ics").data)["odd@networkfest-2026.networkfest"]
    assert str(event["SUMMARY"]) == "Commas, semicolons; and \\ backslashes"


@pytest.mark.parametrize("path", ["/schedule.ics", "/schedule.json", "/schedule.xml"])
def test_a_304_builds_nothing_and_reads_the_version_at_most_once_a_second(
    client: FlaskClient,
    programme: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    clock: Any,
    path: str,
) -> None:
    etag = client.get(path).headers["ETag"]

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a 304 must not build the feed")

    monkeypatch.setattr("networkfest.feeds.ical.build_calendar", refuse)
    monkeypatch.setattr("networkfest.feeds.frab.frab_schedule", refuse)
    with counted() as statements:
        # Within a second of the last reading: the database is not asked at all.
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert statements == []
        clock.advance(timedelta(seconds=UNTOLD_S))
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert len(statements) == 1, statements


def test_another_process_publication_reaches_the_feeds_within_a_second(
    client: FlaskClient, programme: dict[str, Any], clock: Any
) -> None:
    etag = client.get("/schedule.ics").headers["ETag"]
    # Another process publishes: the row changes without this process's ORM knowing.
    festivals = Festival.__table__
    db.session.execute(update(festivals).values(version=festivals.c.version + 1))
    db.session.commit()
    assert client.get("/schedule.ics", headers={"If-None-Match": etag}).status_code == 304
    clock.advance(timedelta(seconds=UNTOLD_S))
    changed = client.get("/schedule.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_a_304_loads_no_festival(
    client: FlaskClient, programme: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ETag comes from two columns; the Festival object is loaded only to build a body,
    once per version (`networkfest.pagecache`)."""
    etag = client.get("/schedule.ics").headers["ETag"]
    loaded: list[Any] = []

    def record(target: Any, context: Any) -> None:
        loaded.append(target)

    sa_event.listen(Festival, "load", record)
    try:
        assert client.get("/schedule.ics", headers={"If-None-Match": etag}).status_code == 304
        assert loaded == []
        # The first request built this version's body: a 200 is answered from memory too.
        assert client.get("/schedule.ics", headers={"If-None-Match": '"stale"'}).status_code == 200
        assert loaded == []
    finally:
        sa_event.remove(Festival, "load", record)


def test_the_public_feeds_skip_the_rate_limiter_and_exist(app: Any) -> None:
    """The limiter's request filter names real endpoints, and only the public feeds."""
    from networkfest.feeds.routes import PUBLIC_FEEDS

    endpoints = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    assert endpoints.keys() >= PUBLIC_FEEDS
    assert all(endpoints[name].methods <= {"GET", "HEAD", "OPTIONS"} for name in PUBLIC_FEEDS)
    assert "feeds.personal_ics" not in PUBLIC_FEEDS


def test_a_304_inside_an_open_transaction_reads_on_it(
    app: Any, client: FlaskClient, programme: dict[str, Any]
) -> None:
    """When the request already holds a transaction (on SQLite, the write lock), the version is
    read on it: a second connection would wait on that lock for the busy timeout."""

    @app.before_request
    def _begin() -> None:
        db.session.execute(text("SELECT 1"))

    etag = client.get("/schedule.ics").headers["ETag"]
    assert client.get("/schedule.ics", headers={"If-None-Match": etag}).status_code == 304
