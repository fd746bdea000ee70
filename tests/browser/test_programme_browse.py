"""A visitor browses the programme in a real browser: the week, a theme filter, one session."""

from __future__ import annotations

from datetime import UTC, datetime

from networkfest.extensions import db
from networkfest.programme.services import publish
from tests.programme.schedules import schedule, session


def test_visitor_filters_by_theme_and_opens_a_session(new_page, server) -> None:
    text = schedule(
        session(title="Writing a run sheet", extra='description = "Bring **one** agenda."'),
        session(
            "purpose-circle",
            title="Purpose circle",
            theme="purpose",
            starts="2026-09-22T14:00:00",
            extra="capacity = 12",
        ),
    )
    with server.app.app_context():
        assert publish(db.session, text, datetime(2026, 9, 1, tzinfo=UTC)).ok
        db.session.remove()

    page = new_page()
    page.goto("/schedule")
    assert page.locator("h1").inner_text() == "Programme"
    assert page.get_by_role("heading", name="Writing a run sheet").is_visible()
    assert page.get_by_role("heading", name="Purpose circle").is_visible()

    page.get_by_label("Theme").select_option("purpose")
    page.get_by_role("button", name="Show sessions").click()
    page.wait_for_url("**/schedule?theme=purpose*")
    assert page.get_by_role("heading", name="Purpose circle").is_visible()
    assert page.get_by_role("heading", name="Writing a run sheet").count() == 0

    page.get_by_role("link", name="Purpose circle").click()
    page.wait_for_url("**/sessions/purpose-circle")
    assert page.locator("h1").inner_text() == "Purpose circle"
    assert "12 in all, 12 left" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Add to calendar (.ics)").get_attribute("href") == (
        "/sessions/purpose-circle.ics"
    )
