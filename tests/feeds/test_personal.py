"""The private personal feed and its reset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar

from networkfest.accounts.links import personal_feed_url, personal_webcal_url
from networkfest.extensions import db
from networkfest.programme.models import Festival
from tests.factories import FESTIVAL_START
from tests.feeds.conftest import PUBLISHED_AT

T0 = FESTIVAL_START - timedelta(days=10)


def feed_path(user: Any) -> str:
    return f"/calendar/{user.calendar_token}.ics"


def events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


@pytest.fixture
def agenda(factory: Any, festival: Festival) -> dict[str, Any]:
    me = factory.user(name="Me")
    others = [factory.user() for _ in range(3)]
    confirmed = factory.session(festival, slug="confirmed-one", title="Bingo", capacity=1)
    full = factory.session(festival, slug="full-one", title="Circles", capacity=1)
    dropped = factory.session(festival, slug="dropped-one")
    called_off = factory.session(festival, slug="called-off", status="cancelled")
    factory.session(festival, slug="not-mine")

    factory.registration(confirmed, me, "confirmed", T0)
    factory.registration(full, others[0], "confirmed", T0)
    ahead = factory.registration(full, others[1], "waitlisted", T0 + timedelta(minutes=1))
    factory.registration(full, me, "waitlisted", T0 + timedelta(minutes=2))
    factory.registration(full, others[2], "waitlisted", T0 + timedelta(minutes=3))
    factory.registration(dropped, me, "cancelled", T0)
    factory.registration(called_off, me, "confirmed", T0)
    return {"me": me, "ahead": ahead}


def test_feed_lists_my_places_marked_as_such(client: FlaskClient, agenda: dict[str, Any]) -> None:
    response = client.get(feed_path(agenda["me"]))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    found = events(response.data)
    assert set(found) == {"confirmed-one", "full-one", "called-off"}

    assert str(found["confirmed-one"]["STATUS"]) == "CONFIRMED"
    assert str(found["confirmed-one"]["SUMMARY"]) == "Bingo"
    assert "Your place is confirmed." in str(found["confirmed-one"]["DESCRIPTION"])

    assert str(found["full-one"]["STATUS"]) == "TENTATIVE"
    assert str(found["full-one"]["SUMMARY"]) == "Circles (waitlist position 2)"
    assert "You are number 2 on the waitlist." in str(found["full-one"]["DESCRIPTION"])

    assert str(found["called-off"]["STATUS"]) == "CANCELLED"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["NAME"]) == "Networkfest 2026: my sessions"
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/London"}


def test_uids_match_the_public_feed(client: FlaskClient, agenda: dict[str, Any]) -> None:
    mine = Calendar.from_ical(client.get(feed_path(agenda["me"])).data)
    public = Calendar.from_ical(client.get("/schedule.ics").data)
    public_uids = {str(e["UID"]) for e in public.walk("VEVENT")}
    assert {str(e["UID"]) for e in mine.walk("VEVENT")} <= public_uids
    # DTSTAMP: the later of the version's publication and the person's last change of place.
    stamps = {str(e["UID"]).split("@")[0]: e.DTSTAMP for e in mine.walk("VEVENT")}
    assert PUBLISHED_AT < T0
    assert stamps == {
        "confirmed-one": T0,
        "full-one": T0 + timedelta(minutes=2),
        "called-off": T0,
    }


def test_waitlist_position_closes_up_and_the_etag_follows(
    client: FlaskClient, agenda: dict[str, Any]
) -> None:
    path = feed_path(agenda["me"])
    first = client.get(path)
    etag = first.headers["ETag"]
    cached = client.get(path, headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.data == b""
    assert cached.headers["Cache-Control"] == "private, max-age=300"

    # Rows changed by hand, not through the registration services: only the feed is under
    # test here. A waitlisted place holds no seat, so the seat counter stays right.
    agenda["ahead"].status = "cancelled"
    agenda["ahead"].updated_at = T0 + timedelta(days=1)
    db.session.commit()
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    found = events(response.data)
    assert str(found["full-one"]["SUMMARY"]) == "Circles (waitlist position 1)"


def test_promotion_turns_tentative_into_confirmed(
    client: FlaskClient, agenda: dict[str, Any]
) -> None:
    me = agenda["me"]
    path = feed_path(me)
    etag = client.get(path).headers["ETag"]
    promoted_at = FESTIVAL_START - timedelta(hours=2)
    registration = next(r for r in _registrations(me) if r.session.slug == "full-one")
    # Deliberately past the seat counter: a promotion's row change made by hand, so that only
    # the feed is under test (the session's one seat stays counted for its first holder).
    registration.status = "confirmed"
    registration.updated_at = promoted_at
    db.session.commit()
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200
    event = events(response.data)["full-one"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Circles"
    stamp = event.DTSTAMP
    assert stamp == promoted_at


def _registrations(user: Any) -> list[Any]:
    from sqlalchemy import select

    from networkfest.registration.models import Registration

    return list(db.session.scalars(select(Registration).where(Registration.user_id == user.id)))


def test_no_places_is_an_empty_calendar(client: FlaskClient, factory: Any, festival: Any) -> None:
    user = factory.user()
    response = client.get(feed_path(user))
    assert response.status_code == 200
    assert Calendar.from_ical(response.data).walk("VEVENT") == []


@pytest.mark.parametrize("token", ["unknown-token", "x" * 65, "a" * 2000, "%00", "a%00b"])
def test_unknown_or_overlong_token_is_a_404(
    client: FlaskClient, agenda: dict[str, Any], token: str
) -> None:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_reset_kills_the_old_link(
    client: FlaskClient,
    agenda: dict[str, Any],
    login: Callable[[FlaskClient, Any], FlaskClient],
) -> None:
    me = agenda["me"]
    old_path = feed_path(me)
    assert client.get(old_path).status_code == 200
    login(client, me)
    response = client.post("/calendar/reset")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/agenda")
    with client.session_transaction() as flask_session:
        flashes = flask_session["_flashes"]
    assert ("success", flashes[0][1]) == flashes[0]
    assert flashes[0][1].startswith("Your calendar link has been reset")

    db.session.refresh(me)
    assert client.get(old_path).status_code == 404
    assert client.get(feed_path(me)).status_code == 200
    assert feed_path(me) != old_path


def test_reset_needs_a_signed_in_person(client: FlaskClient, agenda: dict[str, Any]) -> None:
    token = agenda["me"].calendar_token
    response = client.post("/calendar/reset")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    db.session.refresh(agenda["me"])
    assert agenda["me"].calendar_token == token


def test_reset_is_post_only(client: FlaskClient, agenda: dict[str, Any]) -> None:
    assert client.get("/calendar/reset").status_code == 405


def test_feed_urls_for_the_agenda_page_and_the_api(agenda: dict[str, Any]) -> None:
    me = agenda["me"]
    assert personal_feed_url(me) == f"http://localhost/calendar/{me.calendar_token}.ics"
    assert personal_webcal_url(me) == f"webcal://localhost/calendar/{me.calendar_token}.ics"


def test_feed_lists_the_sessions_i_host(
    client: FlaskClient, factory: Any, festival: Festival, agenda: dict[str, Any]
) -> None:
    """A host is offered no place in their own session: their feed has it all the same."""
    me = agenda["me"]
    factory.session(festival, slug="mine-to-host", title="Run sheets", hosts=[me])
    found = events(client.get(feed_path(me)).data)
    assert set(found) == {"confirmed-one", "full-one", "called-off", "mine-to-host"}
    hosted = found["mine-to-host"]
    assert str(hosted["STATUS"]) == "CONFIRMED" and str(hosted["SUMMARY"]) == "Run sheets"
    assert "You host this session." in str(hosted["DESCRIPTION"])
    assert hosted.DTSTAMP == PUBLISHED_AT


def test_a_place_ending_in_the_repeated_hour_lasts_its_full_length(
    client: FlaskClient, factory: Any
) -> None:
    festival = factory.festival(starts=date(2026, 10, 19), ends=date(2026, 10, 25))
    me = factory.user()
    late = factory.session(
        festival, slug="late", starts_at=datetime(2026, 10, 24, 23, 30, tzinfo=UTC), minutes=120
    )
    factory.registration(late, me, "confirmed", T0)
    event = events(client.get(feed_path(me)).data)["late"]
    assert event.end - event.start == timedelta(minutes=120)
    assert event.end == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
