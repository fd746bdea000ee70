"""An attendee of an ended session gives feedback; an organiser reads it on the dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from networkfest.extensions import db
from networkfest.live.models import Presence
from tests.conftest import sign_in_cookie
from tests.factories import FESTIVAL_START, make_festival, make_session, make_user

pytestmark = pytest.mark.browser

START = FESTIVAL_START + timedelta(hours=1)


def signed_in_page(new_page, server, user_id_token: str):
    """A page whose browser carries a signed session for the user (independent of /login)."""
    page = new_page()
    serializer = server.app.session_interface.get_signing_serializer(server.app)
    cookie = serializer.dumps({"_user_id": user_id_token, "_fresh": True})
    page.context.add_cookies(
        [
            {
                "name": server.app.config["SESSION_COOKIE_NAME"],
                "value": cookie,
                "url": server.url,
            }
        ]
    )
    return page


def test_attendee_gives_feedback_and_organiser_sees_it(new_page, server):
    with server.app.app_context():
        festival = make_festival(db.session)
        session = make_session(db.session, festival, starts_at=START, minutes=45, title="Bingo")
        attendee = make_user(db.session, name="Ann Attendee")
        organiser = make_user(db.session, name="Olu Organiser", organiser=True)
        db.session.add(
            Presence(
                session_id=session.id,
                user_id=attendee.id,
                sid="browser",
                joined_at=START,
                left_at=START + timedelta(minutes=45),
            )
        )
        db.session.commit()
        slug, attendee_id, organiser_id = (
            session.slug,
            sign_in_cookie(attendee),
            sign_in_cookie(organiser),
        )
    server.set_clock(START + timedelta(minutes=44))

    page = signed_in_page(new_page, server, attendee_id)
    response = page.goto(f"/sessions/{slug}/live")
    assert response is not None and response.status == 200
    panel = page.locator("#feedback")
    assert panel.is_hidden()

    # The session ends while the room is open: when the room's clock script announces
    # the end (as clock.js does when its countdown reaches it), the form appears.
    page.locator('#live-status[data-state="online"]').wait_for()
    server.set_clock(START + timedelta(minutes=46))
    page.evaluate("document.dispatchEvent(new CustomEvent('live:phase', {detail: 'ended'}))")
    panel.get_by_role("heading", name="Was it worth it?").wait_for()
    panel.get_by_role("radio", name="4").check()
    panel.get_by_label("What will you do differently?").fill("Timebox every item")
    panel.get_by_role("group", name="Would you join a follow-up?").get_by_label("Yes").check()
    panel.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Thank you: your feedback is saved.").wait_for()
    assert page.url.endswith(f"/sessions/{slug}/feedback")
    assert page.get_by_role("radio", name="4").is_checked()

    # Changing one's mind within 48 hours replaces the answer.
    page.get_by_role("radio", name="5").check()
    page.get_by_label("What will you do differently?").fill("Timebox every item")
    page.get_by_role("group", name="Would you join a follow-up?").get_by_label("Yes").check()
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Thank you: your feedback is saved.").wait_for()
    assert page.get_by_role("radio", name="5").is_checked()

    organiser_page = signed_in_page(new_page, server, organiser_id)
    response = organiser_page.goto("/organiser/insights")
    assert response is not None and response.status == 200
    assert organiser_page.get_by_role("heading", level=1).inner_text() == "Insights"
    sessions_table = organiser_page.locator("#sessions-table")
    assert "Bingo" in sessions_table.inner_text()
    assert "5.00" in sessions_table.inner_text()
    assert organiser_page.get_by_role("img", name="Worth it, by theme").count() == 1
    assert "Timebox every item" in organiser_page.get_by_role("main").inner_text()


def test_a_page_that_was_never_in_the_room_is_not_offered_the_form(new_page, server):
    with server.app.app_context():
        festival = make_festival(db.session)
        session = make_session(db.session, festival, starts_at=START, minutes=45, title="Bingo")
        person = make_user(db.session, name="Nell Nowhere")
        slug, person_id = session.slug, sign_in_cookie(person)
    server.set_clock(START + timedelta(minutes=44))

    # The page never joins the room (its connection never opens): it was not in the room.
    page = signed_in_page(new_page, server, person_id)
    page.route("**/socket.io.min.js", lambda route: route.abort())
    response = page.goto(f"/sessions/{slug}/live")
    assert response is not None and response.status == 200
    panel = page.locator("#feedback")
    assert panel.is_hidden()

    # The session ends (clock.js sets the room's phase when its countdown reaches the end).
    server.set_clock(START + timedelta(minutes=46))
    page.evaluate("document.getElementById('live-room').dataset.phase = 'ended'")
    panel.get_by_text("Only people who were in the session's room can give feedback.").wait_for()
    assert panel.locator("form").is_hidden()
    assert panel.get_by_role("button", name="Send feedback").count() == 0
