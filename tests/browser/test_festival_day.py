"""Festival day in headless Chromium against a real server, timed by the server's test clock:
the front page before, during and after the festival; the programme's live marks; your next
session; "Register to ask" and the hosts' pending count in the live room. axe-core checks
every page it opens, at a desktop and a phone width."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from networkfest.extensions import db
from tests.browser.axe import assert_accessible
from tests.browser.journeys import sign_in
from tests.factories import (
    FESTIVAL_START,
    make_festival,
    make_registration,
    make_session,
    make_user,
)

pytestmark = pytest.mark.browser

# 10:00 BST on the first day; the sessions are placed around it.
NOW = FESTIVAL_START + timedelta(hours=1)
BEFORE = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)
AFTER = datetime(2026, 9, 26, 9, 0, tzinfo=UTC)
WIDTHS = (1280, 320)
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
LIVE_LINK = re.compile(r"^/sessions/([^/]+)/live$")


def seed(server: Any) -> dict[str, str]:
    """A first day in full swing at NOW: two live sessions, one in its lobby, one later, one
    ended, one cancelled; an attendee with a place in the later one, and none in the first."""
    with server.app.app_context():
        festival = make_festival(db.session)
        host = make_user(db.session, name="Hana Host")
        attendee = make_user(db.session, name="Ada Attendee")

        def at(minutes: int, title: str, length: int = 45, **extra: Any) -> Any:
            return make_session(
                db.session,
                festival,
                title=title,
                starts_at=NOW + timedelta(minutes=minutes),
                minutes=length,
                hosts=[host],
                **extra,
            )

        live = at(-20, "Network bingo: spotting the common pitfalls", capacity=30)
        live_too = at(-5, "Purpose in one sentence", 30, theme="method", format="workshop")
        lobby = at(5, "Five questions before any network meeting", theme="learning")
        later = at(90, "Writing a run sheet that holds", theme="method")
        ended = at(-120, "Opening circle: why we run networks")
        at(-10, "Panel: what funders want to see", status="cancelled", format="panel")
        at(24 * 60, "Mapping who is really in your network", theme="learning")
        make_registration(db.session, later, attendee, "confirmed", BEFORE)
        db.session.commit()
        seeded = {
            "live": live.slug,
            "live_too": live_too.slug,
            "lobby": lobby.slug,
            "later": later.slug,
            "ended": ended.slug,
            "attendee": attendee.email,
            "host": host.email,
        }
        db.session.remove()
    return seeded


def live_room_links(page: Any, scope: str = "main") -> set[str]:
    hrefs = page.locator(f"{scope} a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return {m.group(1) for href in hrefs if (m := LIVE_LINK.match(href))}


def check(page: Any, path: str) -> None:
    """Open `path` at each width: no sideways scrolling, and axe finds nothing."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at {width} px"
        assert_accessible(page)


def test_front_page_before_the_festival(new_page, server) -> None:
    seeded = seed(server)
    server.set_clock(BEFORE)
    page = new_page()
    check(page, "/")
    assert page.locator("[data-festival-phase='before']").count() == 1
    assert page.get_by_role("heading", level=1).inner_text() == "Networkfest 2026"
    main = page.locator("main")
    assert "Monday 21 September to Friday 25 September 2026" in main.inner_text()
    assert page.get_by_role("heading", name="The festival's themes").is_visible()
    assert page.locator("main").get_by_role("link", name="Sign up").get_attribute("href") == (
        "/signup"
    )
    assert page.get_by_role("link", name="See the programme").get_attribute("href") == ("/schedule")
    assert live_room_links(page) == set()
    # The first session (the one that has ended by NOW) is six days and 22 hours away.
    countdown = page.locator(".front-countdown .countdown")
    assert re.fullmatch(r"6 days 2[12]:\d\d:\d\d", countdown.inner_text()), countdown.inner_text()
    assert seeded["ended"] in page.locator(".front-hero").inner_html()


def test_front_page_during_the_festival(new_page, server) -> None:
    seeded = seed(server)
    server.set_clock(NOW)
    page = new_page()
    check(page, "/")
    assert page.locator("[data-festival-phase='during']").count() == 1
    assert live_room_links(page) == {seeded["live"], seeded["live_too"]}
    live = page.locator(".front-live")
    assert live.get_by_role("heading", name="Network bingo: spotting the common pitfalls").count()
    assert "Panel: what funders" not in page.locator("main").inner_text()
    nxt = page.locator(".front-next")
    for slug in ("lobby", "later"):
        assert nxt.locator(f"a[href='/sessions/{seeded[slug]}']").count() == 1
    assert "Starting soon" in nxt.inner_text()
    # "The whole programme, from now" opens the programme at the first session not over.
    page.get_by_role("link", name="The whole programme, from now").click()
    page.wait_for_url("**/schedule#now")
    assert page.locator("#now").get_attribute("id") == "now"
    assert page.locator("#now").locator(f"a[href='/sessions/{seeded['live']}/live']").count()


def test_front_page_after_the_festival(new_page, server) -> None:
    seed(server)
    server.set_clock(AFTER)
    page = new_page()
    check(page, "/")
    assert page.locator("[data-festival-phase='after']").count() == 1
    assert "Thank you for coming" in page.locator(".front-hero").inner_text()
    assert page.get_by_role("heading", name="Was it worth it?").is_visible()
    assert page.get_by_role("link", name="The programme", exact=True).count() >= 1
    assert live_room_links(page) == set()


def test_front_page_with_nothing_published(new_page, server) -> None:
    page = new_page()
    check(page, "/")
    assert "has not been published yet" in page.locator("main").inner_text()


def test_front_page_countdowns_follow_the_server_clock_not_the_browsers(new_page, server) -> None:
    """The browser's clock is an hour wrong; the time left still counts from the server's."""
    seeded = seed(server)
    server.set_clock(NOW)
    page = new_page()
    page.clock.install(time=datetime.now(UTC) + timedelta(hours=1))
    page.goto("/")
    left = page.locator(f"a[href='/sessions/{seeded['live']}/live']").locator(
        "xpath=ancestor::li[1]"
    )
    countdown = left.locator(".countdown")
    remaining_at_set = 25 * 60
    shown = countdown.inner_text()
    minutes, seconds = (int(part) for part in shown.split(":"))
    # From the server's clock: within the session's 25 minutes left (the browser's, an hour
    # ahead, would show it over).
    assert 0 < minutes * 60 + seconds <= remaining_at_set, shown
    # It counts by itself: the next second shows without a reload.
    expect(countdown).not_to_have_text(shown, timeout=5_000)


def test_your_next_session_on_the_front_page(new_page, server) -> None:
    seeded = seed(server)
    server.set_clock(NOW)
    page = new_page()
    sign_in(page, seeded["attendee"])
    check(page, "/")
    yours = page.locator(".front-yours")
    assert "Writing a run sheet that holds" in yours.inner_text()
    assert "Registered" in yours.inner_text() and "Starts in" in yours.inner_text()
    assert live_room_links(page, ".front-yours") == set()
    # Its lobby opens: the way in appears.
    server.set_clock(NOW + timedelta(minutes=85))
    page.goto("/")
    assert "Lobby open" in yours.inner_text()
    yours.get_by_role("link", name="Go to the live room").click()
    page.wait_for_url(f"**/sessions/{seeded['later']}/live")


def test_the_programme_marks_what_is_live(new_page, server) -> None:
    seeded = seed(server)
    server.set_clock(NOW)
    page = new_page()
    check(page, "/schedule")
    assert live_room_links(page) == {seeded["live"], seeded["live_too"]}
    for slug in ("live", "live_too"):
        card = page.locator(f"article[aria-labelledby='s-{seeded[slug]}']")
        assert "Live now" in card.inner_text()
    lobby = page.locator(f"article[aria-labelledby='s-{seeded['lobby']}']")
    assert "Starting soon" in lobby.inner_text()
    ended = page.locator(f"article[aria-labelledby='s-{seeded['ended']}']")
    assert "Ended" in ended.inner_text()
    page.get_by_role("link", name="Jump to now").click()
    page.wait_for_url("**/schedule#now")
    # As the day moves on the marks follow the server's clock: the two live sessions end and
    # the one in its lobby starts.
    server.set_clock(NOW + timedelta(minutes=26))
    page.goto("/schedule")
    assert live_room_links(page) == {seeded["lobby"]}
    sign_in(page, seeded["attendee"])
    check(page, "/schedule")
    later = page.locator(f"article[aria-labelledby='s-{seeded['later']}']")
    assert "Registered" in later.inner_text()
    check(page, "/me/agenda")
    check(page, f"/sessions/{seeded['live_too']}")


def test_register_to_ask_from_the_live_room(new_page, server) -> None:
    seeded = seed(server)
    server.set_clock(NOW)
    page = new_page()
    sign_in(page, seeded["attendee"])
    check(page, f"/sessions/{seeded['live']}/live")
    assert page.locator("#ask-form").count() == 0
    assert "In the room: " in page.locator(".live-header").inner_text()
    page.get_by_role("button", name="Register to ask").click()
    page.wait_for_url(f"**/sessions/{seeded['live']}/live")
    assert "You have a place." in page.locator(".flashes").inner_text()
    page.wait_for_selector("#live-status[data-state=online]")
    expect(page.locator("#ask-text")).to_be_enabled()
    assert_accessible(page)


def test_the_hosts_pending_count_follows_the_backstage_queue(new_page, server) -> None:
    seeded = seed(server)
    with server.app.app_context():
        from networkfest.programme.queries import session_by_slug
        from networkfest.registration.services import register
        from tests.factories import make_user as make

        asker = make(db.session, name="Ash Asker")
        db.session.commit()
        register(db.session, session_by_slug(db.session, seeded["live"]), asker, NOW)
        asker_email = asker.email
        db.session.remove()
    server.set_clock(NOW)
    host = new_page()
    sign_in(host, seeded["host"])
    check(host, f"/sessions/{seeded['live']}/live")
    host.wait_for_selector("#live-status[data-state=online]")
    count = host.locator("[data-pending-count]")
    assert count.inner_text() == "No questions"
    attendee = new_page()
    sign_in(attendee, asker_email)
    attendee.goto(f"/sessions/{seeded['live']}/live")
    attendee.wait_for_selector("#live-status[data-state=online]")
    attendee.fill("#ask-text", "Could the bingo card work for a new network?")
    attendee.get_by_role("button", name="Ask").click()
    expect(count).to_have_text("1 question", timeout=10_000)
    host.locator("#backstage .question").get_by_role("button", name="Approve").click()
    expect(count).to_have_text("No questions", timeout=10_000)


def test_the_lobby_counts_down_to_the_start(new_page, server) -> None:
    seeded = seed(server)
    server.set_clock(NOW)
    page = new_page()
    check(page, f"/sessions/{seeded['lobby']}/live")
    starts = page.locator(".live-starts")
    assert "Lobby open" in starts.inner_text()
    countdown = starts.locator(".countdown")
    shown = countdown.inner_text()
    assert shown.startswith("4:") or shown == "5:00", shown
    expect(countdown).not_to_have_text(shown, timeout=5_000)
    # The server's clock passes the start: the room goes live and the lobby line goes.
    server.set_clock(NOW + timedelta(minutes=5, seconds=1))
    page.wait_for_selector("#live-room[data-phase='live']", timeout=15_000)
    expect(starts).to_be_hidden()
