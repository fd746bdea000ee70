"""The demo's host journey in headless Chromium: sign in with the account the demo prints as
"host", open the room of the session that is live, and find the host's controls there."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from networkfest.config import PROJECT_ROOT
from networkfest.demo.services import DEMO_PASSWORD, prepare_demo
from networkfest.extensions import db
from tests.browser.journeys import sign_in

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 26, 14, 44, tzinfo=UTC)  # a Thursday, 14:44 GMT


def seed_demo(server: Any) -> dict[str, str]:
    """`networkfest demo`'s preparation on the server's database, its clock set to match."""
    text = (PROJECT_ROOT / "schedule" / "networkfest-2026.toml").read_text("utf-8")
    with server.app.app_context():
        result = prepare_demo(db.session, text, NOW)
        assert result.publish.ok and result.live_session and result.host_next_session
        seeded = {
            "live": result.live_session,
            "host_next": result.host_next_session,
            **{account.role: account.email for account in result.accounts},
        }
        db.session.remove()
    server.set_clock(NOW)
    return seeded


def test_the_demo_host_finds_the_hosts_controls_in_the_live_room(new_page, server) -> None:
    seeded = seed_demo(server)
    page = new_page()
    sign_in(page, seeded["host"], DEMO_PASSWORD)

    page.goto(f"/sessions/{seeded['live']}/live")
    page.locator("#live-status[data-state=online]").wait_for()
    assert page.locator("#live-room").get_attribute("data-host") == "true"
    assert page.locator("#live-room").get_attribute("data-phase") == "live"
    # The backstage timer with the run sheet's "Next item", and the moderation queue.
    assert page.get_by_role("heading", name="Backstage timer").is_visible()
    next_item = page.get_by_role("button", name="Next item")
    assert next_item.is_visible() and next_item.is_enabled()
    assert page.get_by_role("heading", name="Backstage", exact=True).is_visible()
    # The demo's questions are waiting for the host: at least one to approve.
    backstage = page.locator("#backstage")
    assert backstage.locator("li").count() >= 1
    assert backstage.get_by_role("button", name=re.compile("Approve")).first.is_visible()

    # The host's next session, after the live one: its page is reachable and not live yet.
    response = page.goto(f"/sessions/{seeded['host_next']}/live")
    assert response is not None and response.ok
    assert page.locator("#live-room").get_attribute("data-host") == "true"
    assert page.locator("#live-room").get_attribute("data-phase") in ("scheduled", "lobby")


def test_the_demo_attendee_sees_no_hosts_controls(new_page, server) -> None:
    seeded = seed_demo(server)
    page = new_page()
    sign_in(page, seeded["attendee"], DEMO_PASSWORD)
    page.goto(f"/sessions/{seeded['live']}/live")
    page.locator("#live-status[data-state=online]").wait_for()
    assert page.locator("#live-room").get_attribute("data-host") == "false"
    assert page.get_by_role("button", name="Next item").count() == 0
