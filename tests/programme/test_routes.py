"""Programme pages: the week, filters, ETags, a session, the history and the organiser upload."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from networkfest.extensions import db
from networkfest.programme.queries import session_by_slug
from networkfest.programme.services import publish
from tests.pages import without_csrf_tokens
from tests.programme.schedules import schedule, session
from tests.statements import counted

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
PROGRAMME = schedule(
    session(
        title="Run sheets & <timeboxes>",
        hosts='["amira.hassan@example.org"]',
        extra='description = """**Bring** an agenda. <script>alert(1)</script> '
        '[x](javascript:alert(1))"""',
    ),
    session(
        "beta",
        title="Purpose workshop",
        theme="purpose",
        starts="2026-09-22T14:00:00",
        extra='capacity = 2\nformat = "workshop"',
    ).replace('format = "talk"\n', ""),
)


def publish_programme(text: str = PROGRAMME) -> None:
    result = publish(db.session, text, NOW)
    assert result.ok, result.problems


def test_schedule_without_a_festival(client) -> None:
    response = client.get("/schedule")
    assert response.status_code == 200
    assert "has not been published yet" in response.get_data(as_text=True)


def test_schedule_lists_sessions_by_day_with_times_and_zone(app, client) -> None:
    publish_programme()
    page = client.get("/schedule").get_data(as_text=True)
    assert "Monday 21 September" in page and "Tuesday 22 September" in page
    assert "(Europe/London)" in page
    assert (
        '<time datetime="2026-09-21T09:00:00+00:00" data-local data-zone="Europe/London">'
        "10:00 BST</time>" in page
    )
    assert "Run sheets &amp; &lt;timeboxes&gt;" in page
    assert "<timeboxes>" not in page
    assert 'class="badge badge--method"' in page and 'class="badge badge--purpose"' in page
    assert "Hosted by Amira Hassan" in page
    assert "2 of 2 places left" in page and "Open to all" in page
    assert 'href="/sessions/beta"' in page


def test_schedule_filters_by_theme_and_format(app, client) -> None:
    publish_programme()
    by_theme = client.get("/schedule?theme=purpose").get_data(as_text=True)
    assert "Purpose workshop" in by_theme and "Run sheets" not in by_theme
    assert "Showing 1 of 2 sessions." in by_theme
    by_format = client.get("/schedule?format=talk").get_data(as_text=True)
    assert "Run sheets" in by_format and "Purpose workshop" not in by_format
    none = client.get("/schedule?theme=method&format=workshop").get_data(as_text=True)
    assert "No sessions match these filters." in none
    unknown = client.get("/schedule?theme=%3Cx%3E&format=zzz")
    assert unknown.status_code == 200
    assert "Showing 2 of 2 sessions." in unknown.get_data(as_text=True)


def test_schedule_shows_full_and_cancelled(app, client) -> None:
    publish_programme()
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    # The counter alone, without registrations: the schedule reads only the counter.
    beta.confirmed_count = 2
    db.session.commit()
    assert "Full: waitlist open" in client.get("/schedule").get_data(as_text=True)
    publish_programme(schedule(session(hosts='["amira.hassan@example.org"]')))
    page = client.get("/schedule").get_data(as_text=True)
    assert "Cancelled" in page and "session-card--cancelled" in page


def test_schedule_etag_and_304(app, client) -> None:
    publish_programme()
    first = client.get("/schedule")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    cached = client.get("/schedule", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    assert cached.headers["ETag"] == etag
    filtered = client.get("/schedule?theme=method", headers={"If-None-Match": etag})
    assert filtered.status_code == 200
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    # The counter alone, without registrations: the schedule reads only the counter.
    beta.confirmed_count = 1
    db.session.commit()
    assert client.get("/schedule", headers={"If-None-Match": etag}).status_code == 200
    etag = client.get("/schedule").headers["ETag"]
    publish_programme(PROGRAMME.replace("Purpose workshop", "Purpose workshop, renamed"))
    assert client.get("/schedule", headers={"If-None-Match": etag}).status_code == 200


def test_schedule_etag_differs_when_signed_in(app, client, factory, login) -> None:
    publish_programme()
    etag = client.get("/schedule").headers["ETag"]
    login(client, factory.user())
    response = client.get("/schedule", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_session_page(app, client) -> None:
    publish_programme()
    response = client.get("/sessions/alpha")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<h1 id="session-title">Run sheets &amp; &lt;timeboxes&gt;</h1>' in page
    assert "Leave with one thing to try." in page
    assert "Monday 21 September, 10:00 BST" in page and "10:30 BST" in page
    assert "30 minutes" in page and "No limit" in page
    assert "Amira Hassan" in page
    assert '<time datetime="2026-09-21T09:10:00+00:00">10:10 BST</time> to 10:30 BST' in page
    assert "<strong>Bring</strong> an agenda." in page
    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert 'href="/sessions/alpha.ics"' in page and 'href="/sessions/alpha/live"' in page
    beta = client.get("/sessions/beta").get_data(as_text=True)
    assert "2 in all, 2 left" in beta


def test_one_minute_and_one_session_are_counted_in_the_singular(app, client) -> None:
    publish_programme(schedule(session(minutes=1, agenda='[{ title = "Hello", minutes = 1 }]')))
    assert "<dd>1 minute</dd>" in client.get("/sessions/alpha").get_data(as_text=True)
    assert "Showing 1 of 1 session." in client.get("/schedule").get_data(as_text=True)
    assert "First publication: 1 session." in client.get("/schedule/changes").get_data(as_text=True)


def test_cancelled_session_page_has_a_banner(app, client) -> None:
    publish_programme()
    publish_programme(schedule(session(hosts='["amira.hassan@example.org"]')))
    page = client.get("/sessions/beta").get_data(as_text=True)
    assert "This session has been cancelled." in page
    assert "Go to the live room" not in page


def test_unknown_session_is_a_friendly_404(app, client) -> None:
    publish_programme()
    response = client.get("/sessions/no-such-session")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert client.get("/sessions/" + "x" * 300).status_code == 404


def test_changes_page_lists_versions_newest_first(app, client) -> None:
    assert "Nothing has been published yet." in client.get("/schedule/changes").get_data(
        as_text=True
    )
    publish_programme()
    publish_programme(
        schedule(
            session(
                title="Run sheets renamed",
                starts="2026-09-21T11:00:00",
                hosts='["amira.hassan@example.org"]',
            )
        )
    )
    page = client.get("/schedule/changes").get_data(as_text=True)
    assert page.index("Version 2") < page.index("Version 1")
    assert 'Published <time datetime="2026-09-01T12:00:00+00:00"' in page
    assert "Tuesday 1 September, 13:00 BST" in page
    assert "Renamed: Run sheets &amp; &lt;timeboxes&gt; is now Run sheets renamed" in page
    assert (
        "Moved: Run sheets renamed, from Monday 21 September, 10:00 BST "
        "to Monday 21 September, 11:00 BST" in page
    )
    assert "Cancelled: Purpose workshop" in page
    assert "Added: Purpose workshop" in page


def upload(client, text: str, action: str, name: str = "fest.toml"):
    return client.post(
        "/organiser/schedule",
        data={"file": (io.BytesIO(text.encode("utf-8")), name), action: "1"},
        content_type="multipart/form-data",
    )


def test_organiser_page_needs_an_organiser(app, client, factory, login) -> None:
    response = client.get("/organiser/schedule")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, factory.user())
    assert client.get("/organiser/schedule").status_code == 403
    assert upload(client, PROGRAMME, "publish").status_code == 403


def test_organiser_checks_an_upload(app, client, factory, login) -> None:
    login(client, factory.organiser())
    page = client.get("/organiser/schedule")
    assert page.status_code == 200 and 'type="file"' in page.get_data(as_text=True)
    good = upload(client, schedule(session(minutes=40)), "check")
    assert good.status_code == 200
    text = good.get_data(as_text=True)
    assert "fest.toml is ready to publish" in text
    assert "the run sheet takes 30 minutes and leaves 10 of the 40-minute slot unplanned" in text
    bad = upload(client, schedule(session(theme="joy")), "check")
    assert bad.status_code == 422
    assert "&#39;joy&#39; is not one of the festival&#39;s themes" in bad.get_data(as_text=True)


def test_organiser_publishes_an_upload(app, client, factory, login) -> None:
    organiser = factory.organiser()
    login(client, organiser)
    response = upload(client, PROGRAMME, "publish")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Published version 1" in text and "Added: Purpose workshop" in text
    assert "Amira Hassan &lt;amira.hassan@example.org&gt;" in text
    assert session_by_slug(db.session, "beta") is not None
    again = upload(client, PROGRAMME, "publish").get_data(as_text=True)
    assert "No changes to publish" in again
    failed = upload(client, schedule(session(theme="joy")), "publish")
    assert failed.status_code == 422
    assert "nothing was published" in failed.get_data(as_text=True)


def test_organiser_upload_reports_a_start_in_year_9999(app, client, factory, login) -> None:
    login(client, factory.organiser())
    far = schedule(session(starts="9999-12-31T23:59:00"))
    for action in ("check", "publish"):
        response = upload(client, far, action)
        assert response.status_code == 422
        assert "the session falls outside the festival&#39;s days" in response.get_data(
            as_text=True
        )
    assert session_by_slug(db.session, "alpha") is None


def test_organiser_upload_refuses_bad_files(app, client, factory, login) -> None:
    login(client, factory.organiser())
    missing = client.post("/organiser/schedule", data={"check": "1"})
    assert missing.status_code == 400
    assert "Choose a schedule file to upload." in missing.get_data(as_text=True)
    wrong_type = upload(client, PROGRAMME, "check", name="fest.txt")
    assert wrong_type.status_code == 400
    assert "Upload a .toml schedule file." in wrong_type.get_data(as_text=True)
    latin = client.post(
        "/organiser/schedule",
        data={"file": (io.BytesIO(b"\xff\xfe"), "x.toml"), "check": "1"},
        content_type="multipart/form-data",
    )
    assert latin.status_code == 400
    assert "not UTF-8 text" in latin.get_data(as_text=True)


def test_visitors_share_one_built_page_with_no_query_token_or_cookie(app, factory) -> None:
    """The anonymous programme is built once per ETag (`networkfest.pagecache`) from the
    published programme kept in the process: a second visitor's page renders no template,
    asks the database nothing and is the same bytes. It holds no form a visitor could post,
    so it carries no CSRF token and sets no session cookie."""
    from flask import template_rendered

    publish_programme()
    first, second = app.test_client(), app.test_client()
    answer_one = first.get("/schedule")
    rendered: list[str] = []

    def record(sender: object, template: object, context: object, **extra: object) -> None:
        rendered.append(str(template))

    template_rendered.connect(record, app)
    try:
        with counted() as statements:
            answer_two = second.get("/schedule")
    finally:
        template_rendered.disconnect(record, app)
    assert rendered == [] and statements == []
    assert answer_two.get_data() == answer_one.get_data()
    assert "csrf" not in answer_two.get_data(as_text=True)
    assert "Set-Cookie" not in answer_one.headers and "Set-Cookie" not in answer_two.headers


def test_a_taken_place_rebuilds_the_visitors_page(app, client, factory) -> None:
    """A new seat count is a new key: the kept page never shows yesterday's places."""
    publish_programme()
    assert "2 of 2 places left" in client.get("/schedule").get_data(as_text=True)
    beta = session_by_slug(db.session, "beta")
    factory.registration(beta, factory.user(), "confirmed", NOW)
    assert "1 of 2 places left" in client.get("/schedule").get_data(as_text=True)
    publish_programme(PROGRAMME.replace("capacity = 2", "capacity = 5"))
    assert "4 of 5 places left" in client.get("/schedule").get_data(as_text=True)


def test_a_session_page_is_kept_for_visitors_until_what_it_shows_changes(
    app, client, clock
) -> None:
    """Built once for every visitor; a start (festival day's mark), a taken place and a
    host's new name each make it anew."""
    from datetime import timedelta

    from flask import template_rendered
    from sqlalchemy import select

    from networkfest.accounts.models import User

    publish_programme()
    alpha = session_by_slug(db.session, "alpha")
    assert alpha is not None
    clock.set(alpha.starts_at - timedelta(hours=2))
    page = "/sessions/alpha"
    first = client.get(page).get_data(as_text=True)
    assert "Hosted by" in first and "Amira Hassan" in first and "Live now" not in first
    rendered: list[object] = []

    def record(sender: object, template: object, context: object, **extra: object) -> None:
        rendered.append(template)

    template_rendered.connect(record, app)
    try:
        again = app.test_client().get(page).get_data(as_text=True)
    finally:
        template_rendered.disconnect(record, app)
    assert rendered == [] and again == first

    clock.set(alpha.starts_at + timedelta(minutes=1))
    assert "Live now" in client.get(page).get_data(as_text=True)

    host = db.session.scalar(select(User).where(User.email == "amira.hassan@example.org"))
    assert host is not None
    host.name = "Amira Hassan-Ward"
    db.session.commit()
    assert "Amira Hassan-Ward" in client.get(page).get_data(as_text=True)


def test_a_signed_in_readers_page_asks_only_about_them(app, factory, signed_in) -> None:
    """Their page is the kept frame with their parts put in: the database is asked who they
    are, their places and their notices, and nothing the frame already shows (the festival
    is read only where a template shows it, and none of the parts does)."""
    publish_programme()
    reader = signed_in(factory.user())
    first = reader.get("/schedule")
    assert first.status_code == 200
    with counted() as statements:
        again = reader.get("/schedule")
    # The same page, but for its CSRF token when the second changed between the two.
    assert without_csrf_tokens(again.get_data(as_text=True)) == without_csrf_tokens(
        first.get_data(as_text=True)
    )
    tables = {
        match.group(1)
        for match in (re.search(r"\sFROM\s+(\w+)", s) for s in statements)
        if match is not None
    }
    assert tables == {"users", "registrations", "notices"}, statements
