"""In a real browser: register from the session page, take the clash warning, read the agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest

from networkfest.extensions import db
from tests import factories
from tests.factories import FESTIVAL_START, PASSWORD

pytestmark = pytest.mark.browser


def _seed(server):
    with server.app.app_context():
        festival = factories.make_festival(db.session)
        first = factories.make_session(
            db.session,
            festival,
            title="Network bingo",
            capacity=1,
            starts_at=FESTIVAL_START + timedelta(minutes=5),
            minutes=45,
        )
        second = factories.make_session(
            db.session,
            festival,
            title="Purpose in one sentence",
            starts_at=FESTIVAL_START + timedelta(minutes=30),
            minutes=30,
        )
        person = factories.make_user(db.session, name="Ann Attendee")
        db.session.commit()
        names = (first.slug, second.slug, person.email)
    server.set_clock(FESTIVAL_START)
    return names


def test_register_clash_and_agenda(new_page, server) -> None:
    first, second, email = _seed(server)
    page = new_page()
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"/sessions/{first}")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"**/sessions/{first}")
    assert "You have a place" in page.locator(".flashes").inner_text()
    assert "Confirmed" in page.locator(".registration-panel").inner_text()

    page.goto(f"/sessions/{second}")
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="This overlaps your agenda").wait_for()
    assert "Network bingo" in page.locator(".clash__list").inner_text()
    page.get_by_role("button", name="Register anyway").click()
    page.wait_for_url(f"**/sessions/{second}")

    page.get_by_role("link", name="My agenda").first.click()
    page.get_by_role("heading", name="My agenda").wait_for()
    items = page.locator(".agenda-item--clash")
    assert items.count() == 2
    assert page.get_by_role("link", name="Join the room").count() == 1
    assert page.locator("#webcal-link").input_value().startswith("webcal://")
    copy = page.get_by_role("button", name="Copy link")
    assert copy.is_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    page.locator(".agenda-feed__copied").filter(has_text="Link copied").wait_for()
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == page.locator("#webcal-link").input_value()
    )
