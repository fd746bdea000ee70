"""The live room in headless Chromium against a real server: two people, one question."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from networkfest.extensions import db
from tests.browser.journeys import sign_in
from tests.factories import (
    FESTIVAL_START,
    SESSION_START,
    make_festival,
    make_registration,
    make_session,
    make_user,
)

pytestmark = pytest.mark.browser

DURING = FESTIVAL_START + timedelta(hours=1, minutes=10)
LOBBY = SESSION_START - timedelta(minutes=5)
# make_session's default 45 minutes end at 10:45 BST.
JUST_ENDED = SESSION_START + timedelta(minutes=45, seconds=1)


def seed(server: Any, at: datetime = DURING, **session_options: Any) -> dict[str, str]:
    """A host and an attendee with a place, in a moderated session (or as `session_options`
    say), with the server's clock at `at`: set once, since the clock's announcements are
    made once (moving it away and back would not announce a phase again)."""
    with server.app.app_context():
        festival = make_festival(db.session)
        host = make_user(db.session, name="Hana Host")
        attendee = make_user(db.session, name="Ada Attendee")
        session = make_session(
            db.session, festival, hosts=[host], **{"qa_mode": "moderated", **session_options}
        )
        make_registration(db.session, session, attendee, "confirmed", FESTIVAL_START)
        db.session.commit()
        seeded = {"slug": session.slug, "host": host.email, "attendee": attendee.email}
        db.session.remove()
    server.set_clock(at)
    return seeded


def watch_errors(page: Any) -> list[str]:
    """Script errors and console errors (CSP refusals and failed loads, the icon's among
    them) seen by the page."""
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"{message.text} {message.location.get('url') or ''}")

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    return errors


def open_room(page: Any, slug: str) -> None:
    page.goto(f"/sessions/{slug}/live")
    page.locator("#live-status[data-state=online]").wait_for()


def attendee_and_host_in_room(new_page: Any, seeded: dict[str, str]) -> tuple[Any, Any]:
    """The seeded attendee and host, each signed in on a page of their own in the room."""
    attendee, host = new_page(), new_page()
    for page, email in ((attendee, seeded["attendee"]), (host, seeded["host"])):
        sign_in(page, email)
        open_room(page, seeded["slug"])
    return attendee, host


def test_attendee_asks_host_approves_attendee_votes(new_page, server) -> None:
    seeded = seed(server)
    attendee, host = new_page(), new_page()
    attendee_errors, host_errors = watch_errors(attendee), watch_errors(host)
    sign_in(attendee, seeded["attendee"])
    sign_in(host, seeded["host"])
    open_room(attendee, seeded["slug"])
    open_room(host, seeded["slug"])

    attendee.fill("#ask-text", "<script>alert(1)</script> How do we start?")
    assert attendee.locator("#ask-count").inner_text().endswith("characters left")
    attendee.get_by_role("button", name="Ask", exact=True).click()
    mine = attendee.locator("#questions .question")
    mine.first.wait_for()
    assert "Awaiting moderation" in mine.first.inner_text()

    backstage = host.locator("#backstage .question")
    backstage.first.wait_for()
    assert backstage.first.locator(".question__text").inner_text() == (
        "<script>alert(1)</script> How do we start?"
    )
    backstage.first.get_by_role("button", name="Approve").click()
    host.locator("#questions .question").first.wait_for()

    attendee.locator('#questions .question[data-status="visible"]').wait_for()
    question = attendee.locator("#questions .question").first
    assert question.locator(".question__text").inner_text() == (
        "<script>alert(1)</script> How do we start?"
    )
    assert attendee.locator("#questions script").count() == 0
    vote = question.locator('[data-action="vote"]')
    vote.focus()
    attendee.keyboard.press("Enter")
    attendee.locator('#questions [data-action="vote"][aria-pressed="true"]').wait_for()
    host.locator("#questions [data-votes]", has_text="1").wait_for()

    attendee.reload()
    attendee.locator("#live-status[data-state=online]").wait_for()
    after = attendee.locator("#questions .question").first
    assert after.locator("[data-votes]").inner_text() == "1"
    assert after.locator('[data-action="vote"]').get_attribute("aria-pressed") == "true"
    assert "<script>alert(1)</script>" in after.locator(".question__text").inner_text()
    assert attendee_errors == [] and host_errors == []


def test_joining_the_call_opens_the_video_room_in_a_new_tab(new_page, server) -> None:
    """The video room is another site: the room's policy (form-action 'self') must not stop
    the way there, and the room stays open behind it."""
    # Another origin than the server's 127.0.0.1, served by it: no DNS needed.
    video_room = f"http://localhost:{server.port}/healthz"
    seeded = seed(server, join_url=video_room)
    slug = seeded["slug"]
    page = new_page()
    errors = watch_errors(page)
    sign_in(page, seeded["attendee"])
    open_room(page, slug)

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Join the call (opens in a new tab)").click()
    call = opened.value
    call.wait_for_url(video_room)
    assert '"status"' in call.locator("body").inner_text()  # what that address serves
    assert page.url.endswith(f"/sessions/{slug}/live")
    assert errors == []


def test_reconnecting_and_resync(new_page, server) -> None:
    seeded = seed(server)
    attendee, host = attendee_and_host_in_room(new_page, seeded)

    attendee.context.set_offline(True)
    attendee.locator("#live-status", has_text=re.compile("Reconnecting")).wait_for()
    host.fill("#ask-text", "Asked while you were away")
    host.get_by_role("button", name="Ask", exact=True).click()
    pending = host.locator("#backstage .question")
    pending.first.wait_for()
    pending.first.get_by_role("button", name="Approve").click()
    host.locator("#questions .question").first.wait_for()

    attendee.context.set_offline(False)
    attendee.locator("#live-status[data-state=online]").wait_for(timeout=30_000)
    attendee.locator("#questions .question", has_text="Asked while you were away").wait_for()


# Every WebSocket the page opens goes to a closed port until the test lets it through;
# the attempts are counted, so the test knows the page has handled a failure.
REFUSE_SOCKETS = """
(() => {
  const RealWebSocket = window.WebSocket;
  window.socketAttempts = 0;
  window.allowSockets = false;
  window.WebSocket = function (url, protocols) {
    window.socketAttempts += 1;
    return new RealWebSocket(window.allowSockets ? url : "ws://127.0.0.1:9/", protocols);
  };
  window.WebSocket.prototype = RealWebSocket.prototype;
  Object.assign(window.WebSocket, RealWebSocket);
})();
"""


def room_with_sockets_refused(new_page: Any, server: Any) -> Any:
    """The attendee's live room, open, with every WebSocket refused until the test allows."""
    seeded = seed(server)
    attendee = new_page()
    sign_in(attendee, seeded["attendee"])
    attendee.add_init_script(REFUSE_SOCKETS)
    attendee.goto(f"/sessions/{seeded['slug']}/live")
    return attendee


def test_a_first_connection_that_fails_says_connecting_not_reconnecting(new_page, server) -> None:
    attendee = room_with_sockets_refused(new_page, server)
    # A second attempt comes only after the page has handled the first one's failure.
    attendee.wait_for_function("() => window.socketAttempts >= 2")
    status = attendee.locator("#live-status")
    assert status.get_attribute("data-state") == "connecting"
    assert status.inner_text() == "Connecting…"

    attendee.evaluate("() => { window.allowSockets = true; }")
    attendee.locator("#live-status[data-state=online]").wait_for(timeout=30_000)


def test_a_connection_that_keeps_failing_says_so_and_still_recovers(new_page, server) -> None:
    attendee = room_with_sockets_refused(new_page, server)
    attendee.wait_for_function("() => window.socketAttempts >= 4", timeout=30_000)
    status = attendee.locator("#live-status", has_text="cannot be reached yet")
    status.wait_for(timeout=30_000)
    assert status.inner_text() == (
        "Connecting… The live room cannot be reached yet: check your connection, or reload the"
        " page."
    )
    assert status.get_attribute("data-state") == "connecting"

    attendee.evaluate("() => { window.allowSockets = true; }")
    attendee.locator("#live-status[data-state=online]").wait_for(timeout=30_000)
    assert "cannot be reached" not in attendee.locator("#live-status").inner_text()


def test_a_room_without_qa_says_so_from_the_lobby_to_live(new_page, server) -> None:
    """qa = "off": the status line says there is no Q&A, not that questions open or update;
    the room switches to live by itself and the host's written poll still reaches people."""
    seeded = seed(server, at=LOBBY, qa_mode="off")
    slug, host_email, attendee_email = seeded["slug"], seeded["host"], seeded["attendee"]
    ada, hana = new_page(), new_page()
    errors = [watch_errors(page) for page in (ada, hana)]
    sign_in(ada, attendee_email)
    sign_in(hana, host_email)
    open_room(ada, slug)
    open_room(hana, slug)
    for page in (ada, hana):
        expect(page.locator("#live-status")).to_have_text(
            "Connected. There is no Q&A in this session."
        )
        expect(page.locator("#qa-off")).to_have_text("There is no Q&A in this session.")
        expect(page.locator("#questions")).to_have_count(0)

    server.set_clock(DURING)
    for page in (ada, hana):
        expect(page.locator("#live-status")).to_have_text(
            "Live. There is no Q&A in this session.", timeout=15_000
        )
    hana.locator("summary", has_text="Write a poll").click()
    hana.fill("#poll-write-question", "Ready to move on?")
    hana.fill("#poll-write-options", "Yes\nNo")
    hana.get_by_role("button", name="Open this poll").click()
    expect(ada.get_by_role("group", name="Ready to move on?")).to_be_visible()
    assert errors == [[], []]


def test_the_ask_panel_closes_when_the_room_reaches_the_end(new_page, server) -> None:
    """No reload: at the end the form gives way to when questions closed, and the asker's
    question no host approved stops "awaiting moderation"; the host can still approve it."""
    seeded = seed(server)
    attendee, host = new_page(), new_page()
    errors = [watch_errors(page) for page in (attendee, host)]
    sign_in(attendee, seeded["attendee"])
    sign_in(host, seeded["host"])
    open_room(attendee, seeded["slug"])
    open_room(host, seeded["slug"])
    closed = attendee.locator("#ask-closed")
    expect(closed).to_be_hidden()
    attendee.fill("#ask-text", "Will anyone see this?")
    attendee.get_by_role("button", name="Ask", exact=True).click()
    mine = attendee.locator("#questions .question", has_text="Will anyone see this?")
    expect(mine.locator(".badge")).to_have_text("Awaiting moderation")
    waiting = host.locator("#backstage .question", has_text="Will anyone see this?")
    expect(waiting.locator(".badge")).to_have_text("Awaiting moderation")

    server.set_clock(JUST_ENDED)
    expect(attendee.locator("#live-room")).to_have_attribute("data-phase", "ended", timeout=15_000)
    expect(closed).to_have_text("Questions closed when the session ended at 10:45 BST.")
    expect(attendee.locator("#ask-form")).to_be_hidden()
    expect(mine.locator(".badge")).to_have_text("Not shown to the room")
    expect(host.locator("#live-room")).to_have_attribute("data-phase", "ended", timeout=15_000)
    expect(waiting.locator(".badge")).to_have_text("Awaiting moderation")
    assert errors == [[], []]
