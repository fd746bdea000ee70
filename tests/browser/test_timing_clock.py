"""The countdown in a real Chromium: right within a second whatever the browser's clock says,
and the room switches to the ended state when the server's clock passes the end."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from networkfest.extensions import db
from tests.factories import PASSWORD, make_festival, make_session, make_user

pytestmark = pytest.mark.browser

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
MINUTES = 45
# The digits show the whole seconds left, rounded up, and turn just after each whole second
# of server time (clock.js wakes 15 ms after it, later when the browser's timer is late): a
# read in that moment sees the second before. The first read comes about a second after
# the server's clock was set, so on the very moment a second turns.
TURN_S = 0.1


def seed(server: Any) -> str:
    with server.app.app_context():
        festival = make_festival(db.session)
        session = make_session(
            db.session,
            festival,
            starts_at=START,
            minutes=MINUTES,
            agenda=[("Welcome", 5), ("Bingo", 25), ("Questions", 15)],
        )
        db.session.commit()
        slug = session.slug
        db.session.remove()
    return slug


def seconds(text: str) -> int:
    parts = [int(p) for p in re.fullmatch(r"(?:(\d+):)?(\d+):(\d\d)", text.strip()).groups() if p]
    total = 0
    for part in parts:
        total = total * 60 + part
    return total


@pytest.mark.parametrize("skew", [timedelta(minutes=5), timedelta(minutes=-5)])
def test_the_countdown_is_right_with_a_wrong_browser_clock(
    server: Any, new_page: Any, skew: timedelta
) -> None:
    slug = seed(server)
    server_instant = START + timedelta(minutes=10)
    # The server sets its clock at some moment of this call, not known more closely.
    asked_at = time.time()
    server.set_clock(server_instant)
    set_at = time.time()
    page = new_page()
    page.clock.install(time=datetime.now(UTC) + skew)
    page.goto(f"/sessions/{slug}/live")
    page.wait_for_selector("#session-clock[data-synced='true']", timeout=15_000)
    browser_skew = page.evaluate("Date.now()") / 1000 - time.time()
    assert abs(browser_skew - skew.total_seconds()) < 5, "the browser's clock is really off"
    countdown = page.locator("[data-clock-countdown]")
    remaining_at_set = (MINUTES - 10) * 60
    for _ in range(3):
        # Read between two instants: the text must be within 1 s of the true time left at
        # some moment of the read, so neither the read's latency nor the set's is counted.
        before = time.time()
        shown = countdown.inner_text()
        after = time.time()
        assert (
            remaining_at_set - (after - asked_at) - 1.0
            <= seconds(shown)
            <= remaining_at_set - (before - set_at) + 1.0 + TURN_S
        ), (shown, before - asked_at, after - asked_at, set_at - asked_at, skew)
        # The page counts down by itself (no server ticks): wait for the next second to show.
        expect(countdown).not_to_have_text(shown, timeout=5_000)
    assert page.locator("#live-room").get_attribute("data-phase") == "live"
    assert page.locator("[data-clock-item-title]").inner_text() == "Bingo"


def test_the_room_switches_to_ended_when_the_server_passes_the_end(
    server: Any, new_page: Any
) -> None:
    slug = seed(server)
    server.set_clock(START + timedelta(minutes=MINUTES) - timedelta(minutes=2))
    page = new_page()
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=5))
    page.goto(f"/sessions/{slug}/live")
    page.wait_for_selector("#session-clock[data-synced='true']", timeout=15_000)
    assert page.locator("#live-room").get_attribute("data-phase") == "live"
    assert page.locator("#session-clock").get_attribute("data-warning") == "soon"
    server.set_clock(START + timedelta(minutes=MINUTES, seconds=1))
    page.wait_for_selector("#live-room[data-phase='ended']", timeout=15_000)
    assert page.locator("[data-clock-ended]").is_visible()
    assert page.locator("[data-clock-ended]").get_by_text("This session has ended.").is_visible()
    expect(page.locator("[data-clock-announcer]")).to_have_text("This session has ended.")
    assert not page.locator("[data-clock-countdown]").is_visible()


def test_a_host_moves_the_run_sheet_from_the_backstage_timer(server: Any, new_page: Any) -> None:
    with server.app.app_context():
        host = make_user(db.session)
        festival = make_festival(db.session)
        session = make_session(
            db.session,
            festival,
            starts_at=START,
            minutes=MINUTES,
            agenda=[("Welcome", 5), ("Bingo", 25), ("Questions", 15)],
            hosts=[host],
        )
        db.session.commit()
        slug, email = session.slug, host.email
        db.session.remove()
    server.set_clock(START + timedelta(minutes=3))
    page = new_page()
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.goto(f"/sessions/{slug}/live")
    page.wait_for_selector("#session-clock[data-synced='true']", timeout=15_000)
    assert page.locator("[data-clock-item-title]").inner_text() == "Welcome"
    page.get_by_role("button", name="Next item").click()
    expect(page.locator("[data-clock-item-title]")).to_have_text("Bingo")
    assert page.locator("[data-clock-behind]").inner_text().startswith("Ahead of the run sheet by")
