"""What the live room tells screen-reader users: which question a button acts on, and each
change announced once, to those it is news to."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from tests.browser.journeys import sign_in
from tests.browser.test_live_room import (
    DURING,
    LOBBY,
    attendee_and_host_in_room,
    open_room,
    seed,
)
from tests.factories import FESTIVAL_START, make_registration, make_user

pytestmark = pytest.mark.browser

QUESTION = "<b>Which</b> tools do you use?"

# Every non-empty text either announcer (the room's and the clock's) is given, in order.
RECORD_ANNOUNCEMENTS = """() => {
  window.announced = [];
  document.querySelectorAll("#live-announcer, [data-clock-announcer]").forEach((el) => {
    new MutationObserver(() => {
      if (el.textContent) { window.announced.push(el.textContent); }
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
}"""


def announced(page: Any) -> list[str]:
    return list(page.evaluate("() => window.announced"))


def add_attendee(server: Any, slug: str, name: str) -> str:
    with server.app.app_context():
        session = db.session.query(FestivalSession).filter_by(slug=slug).one()
        user = make_user(db.session, name=name)
        make_registration(db.session, session, user, "confirmed", FESTIVAL_START)
        db.session.commit()
        email = user.email
        db.session.remove()
    return email


def test_vote_and_moderation_buttons_are_described_by_their_question(new_page, server) -> None:
    seeded = seed(server)
    attendee, host = attendee_and_host_in_room(new_page, seeded)

    attendee.fill("#ask-text", QUESTION)
    attendee.get_by_role("button", name="Ask", exact=True).click()
    held = host.locator("#backstage .question")
    for name in ("Vote for this question. Votes: 0", "Approve", "Mark answered", "Pin", "Hide"):
        expect(held.get_by_role("button", name=name, exact=True)).to_have_accessible_description(
            QUESTION
        )
    held.get_by_role("button", name="Approve").click()
    shown = attendee.locator('#questions .question[data-status="visible"]')
    vote = shown.get_by_role("button", name="Vote for this question. Votes: 0")
    expect(vote).to_have_accessible_description(QUESTION)
    vote.click()
    expect(shown.get_by_role("button", name="Vote for this question. Votes: 1")).to_have_attribute(
        "aria-pressed", "true"
    )

    # The server's markup says the same: seen without the room's script (no socket library).
    host.route("**/socket.io*.js", lambda route: route.abort())
    host.goto(f"/sessions/{seeded['slug']}/live")
    for name in ("Vote for this question. Votes: 1", "Mark answered", "Pin", "Hide"):
        expect(
            host.locator("#questions").get_by_role("button", name=name, exact=True)
        ).to_have_accessible_description(QUESTION)


def test_a_new_question_is_announced_to_others_not_to_its_asker(new_page, server) -> None:
    seeded = seed(server, qa_mode="open")
    other_email = add_attendee(server, seeded["slug"], "Olu Other")
    asker, other = new_page(), new_page()
    sign_in(asker, seeded["attendee"])
    sign_in(other, other_email)
    for page in (asker, other):
        open_room(page, seeded["slug"])
        page.evaluate(RECORD_ANNOUNCEMENTS)

    asker.fill("#ask-text", QUESTION)
    asker.get_by_role("button", name="Ask", exact=True).click()
    expect(asker.locator("#live-announcer")).to_have_text("Question posted.")
    expect(other.locator("#live-announcer")).to_have_text(
        f"New question from Ada Attendee: {QUESTION}"
    )
    # A later announcement on the asker's page: anything about the question came first.
    asker.get_by_role("link", name="Newest").click()
    expect(asker.locator("#live-announcer")).to_have_text("Newest questions first.")
    assert announced(asker) == ["Question posted.", "Newest questions first."]


def test_a_pending_question_is_not_news_to_its_asker(new_page, server) -> None:
    seeded = seed(server)
    asker, host = new_page(), new_page()
    sign_in(asker, seeded["attendee"])
    sign_in(host, seeded["host"])
    for page in (asker, host):
        open_room(page, seeded["slug"])
        page.evaluate(RECORD_ANNOUNCEMENTS)

    asker.fill("#ask-text", QUESTION)
    asker.get_by_role("button", name="Ask", exact=True).click()
    expect(asker.locator("#live-announcer")).to_have_text(
        "Question sent. It appears for everyone once a host approves it."
    )
    expect(host.locator("#live-announcer")).to_have_text(
        f"New question from Ada Attendee: {QUESTION}"
    )
    assert not [text for text in announced(asker) if text.startswith("New question")]


def test_the_start_of_the_session_is_announced_once(new_page, server) -> None:
    seeded = seed(server, at=LOBBY)
    attendee = new_page()
    sign_in(attendee, seeded["attendee"])
    open_room(attendee, seeded["slug"])
    attendee.evaluate(RECORD_ANNOUNCEMENTS)

    server.set_clock(DURING)
    attendee.locator("#live-room[data-phase='live']").wait_for(timeout=15_000)
    attendee.wait_for_function("() => window.announced.some((text) => text.includes('live'))")
    # A later announcement: any second one about the start would have come before it.
    attendee.get_by_role("link", name="Newest").click()
    attendee.wait_for_function("() => window.announced.includes('Newest questions first.')")
    assert [text for text in announced(attendee) if "live" in text] == ["The session is live."]
