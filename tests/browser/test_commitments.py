"""An attendee commits in the ended room; four weeks later (the server's clock moved, no one
waits) the follow-up arrives through the console mail, and one of its links records "done"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from networkfest.extensions import db
from networkfest.live.models import Presence
from tests.browser.axe import assert_accessible
from tests.conftest import sign_in_cookie
from tests.factories import FESTIVAL_START, make_festival, make_session, make_user
from tests.server import LiveServer

pytestmark = pytest.mark.browser

START = FESTIVAL_START + timedelta(hours=1)
ENDS = START + timedelta(minutes=45)
LINK = re.compile(r"^Done: (http\S+/commitments/follow-up/\S+)$", re.MULTILINE)


def signed_in_page(new_page, server, cookie_value: str):
    """A page whose browser carries a signed session for the user (independent of /login)."""
    page = new_page()
    serializer = server.app.session_interface.get_signing_serializer(server.app)
    cookie = serializer.dumps({"_user_id": cookie_value, "_fresh": True})
    page.context.add_cookies(
        [{"name": server.app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": server.url}]
    )
    return page


def mailed_link(server: LiveServer) -> str:
    """The "Done" link of the follow-up the server's job runner printed (console mail): one
    round of the jobs, run to its end, has sent it."""
    server.run_jobs()
    found = LINK.search(server.log_path.read_text(errors="replace"))
    assert found, f"no follow-up mail in the server log:\n{server.log_path.read_text()[-3000:]}"
    return found.group(1)


def test_attendee_commits_gets_the_follow_up_and_answers_done(new_page, server):
    with server.app.app_context():
        festival = make_festival(db.session)
        session = make_session(db.session, festival, starts_at=START, minutes=45, title="Bingo")
        attendee = make_user(db.session, name="Ann Attendee")
        db.session.add(
            Presence(
                session_id=session.id,
                user_id=attendee.id,
                sid="browser",
                joined_at=START,
                left_at=ENDS,
            )
        )
        db.session.commit()
        slug, cookie = session.slug, sign_in_cookie(attendee)
    server.set_clock(ENDS + timedelta(minutes=1))

    page = signed_in_page(new_page, server, cookie)
    response = page.goto(f"/sessions/{slug}/live")
    assert response is not None and response.status == 200
    panel = page.locator("#feedback")
    panel.get_by_role("heading", name="Was it worth it?").wait_for()
    assert_accessible(page, "#feedback")
    panel.get_by_role("radio", name="4").check()
    panel.get_by_label("What will you do differently?").fill("Timebox every item")
    panel.get_by_role("group", name="Would you join a follow-up?").get_by_label("No").check()
    panel.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Thank you: your feedback is saved.").wait_for()

    page.goto("/me/commitments")
    assert page.get_by_label("Your commitment").input_value() == "Timebox every item"
    assert "Monday 19 October" in page.get_by_role("main").inner_text()
    assert_accessible(page)

    # Four weeks on: the server's clock moves and its job runner mails the follow-up.
    server.set_clock(ENDS + timedelta(weeks=4, minutes=1))
    link = mailed_link(server)
    assert link.startswith(server.url)

    page.goto(link)
    page.get_by_role("heading", name="How did it go?", level=1).wait_for()
    assert page.get_by_text("Timebox every item").is_visible()
    assert page.get_by_role("radio", name="Done").is_checked()
    assert_accessible(page)
    page.get_by_label("A note (optional)").fill("Every item, every time")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Thank you").wait_for()

    page.goto("/me/commitments")
    main = page.get_by_role("main").inner_text()
    assert "Your answer: Done" in main
    assert "Every item, every time" in main

    # The same link again is refused with a page that points to the commitments.
    response = page.goto(link)
    assert response is not None and response.status == 409
    assert page.get_by_role("link", name="My commitments").count() >= 1
    assert_accessible(page)
