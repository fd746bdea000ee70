"""The read-only programme API and its OpenAPI description."""

from __future__ import annotations

from datetime import UTC, datetime

from networkfest.extensions import db
from networkfest.programme.queries import session_by_slug
from networkfest.programme.services import publish
from tests.programme.schedules import schedule, session

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
KEYS = {
    "slug",
    "title",
    "theme",
    "format",
    "purpose",
    "starts_at",
    "ends_at",
    "capacity",
    "places_left",
    "hosts",
    "qa",
    "status",
    "version",
}


def publish_two() -> None:
    text = schedule(
        session(hosts='["amira.hassan@example.org"]', extra='qa = "open"'),
        session("beta", theme="purpose", starts="2026-09-22T14:00:00", extra="capacity = 5"),
        extra='[[host]]\nemail = "host@example.org"\nname = "Hana Host"\n',
    )
    assert publish(db.session, text, NOW).ok


def test_sessions_list_before_anything_is_published(client) -> None:
    response = client.get("/api/v1/sessions")
    assert response.status_code == 200 and response.json == {"sessions": []}


def test_sessions_list_and_one_session(app, client) -> None:
    publish_two()
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    # The counter alone, without registrations: places_left is read from it.
    beta.confirmed_count = 2
    db.session.commit()
    listing = client.get("/api/v1/sessions").json
    assert [s["slug"] for s in listing["sessions"]] == ["alpha", "beta"]
    assert all(set(s) == KEYS for s in listing["sessions"])
    one = client.get("/api/v1/sessions/beta")
    assert one.status_code == 200
    assert one.json == {
        "slug": "beta",
        "title": "Alpha session",
        "theme": "purpose",
        "format": "talk",
        "purpose": "Leave with one thing to try.",
        "starts_at": "2026-09-22T13:00:00+00:00",
        "ends_at": "2026-09-22T13:30:00+00:00",
        "capacity": 5,
        "places_left": 3,
        "hosts": ["Hana Host"],
        "qa": "moderated",
        "status": "scheduled",
        "version": 1,
    }
    alpha = client.get("/api/v1/sessions/alpha").json
    assert alpha["capacity"] is None and alpha["places_left"] is None
    assert alpha["hosts"] == ["Amira Hassan"] and alpha["qa"] == "open"


def test_cancelled_sessions_stay_listed(app, client) -> None:
    publish_two()
    assert publish(db.session, schedule(session(hosts='["amira.hassan@example.org"]')), NOW).ok
    listing = client.get("/api/v1/sessions").json["sessions"]
    beta = next(s for s in listing if s["slug"] == "beta")
    assert beta["status"] == "cancelled" and beta["version"] == 2


def test_unknown_session_is_a_json_404(app, client) -> None:
    publish_two()
    response = client.get("/api/v1/sessions/nope")
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": "not_found", "message": "No session with that name."}
    }


def test_openapi_describes_the_sessions_api(client) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert set(document["components"]["schemas"]["Session"]["required"]) == KEYS
    assert "get" in document["paths"]["/sessions"]
    assert "404" in document["paths"]["/sessions/{slug}"]["get"]["responses"]


def test_the_list_is_built_once_per_version_and_seat_count(app, client) -> None:
    """Kept in memory under the version and the seat counts (`networkfest.pagecache`): a
    place taken or a new version shows at once, and nothing else rebuilds it."""
    from sqlalchemy import event

    from networkfest.programme.models import FestivalSession

    publish_two()

    def places(slug: str) -> int | None:
        listing = client.get("/api/v1/sessions").json["sessions"]
        return next(s["places_left"] for s in listing if s["slug"] == slug)

    assert places("beta") == 5
    loaded: list[object] = []

    def record(target: object, context: object) -> None:
        loaded.append(target)

    event.listen(FestivalSession, "load", record)
    try:
        assert places("beta") == 5
        assert loaded == []
    finally:
        event.remove(FestivalSession, "load", record)
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    beta.confirmed_count = 1
    db.session.commit()
    assert places("beta") == 4
    text = schedule(
        session(hosts='["amira.hassan@example.org"]'),
        session("beta", theme="purpose", starts="2026-09-22T14:00:00", extra="capacity = 9"),
    )
    assert publish(db.session, text, NOW).ok
    assert places("beta") == 8
