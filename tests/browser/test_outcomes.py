"""Outcomes in headless Chromium against a real server: a host writes them on the live page
in the run sheet's last item; they show on the session page; an attendee who was in the room
gets the one mail (the console mail, in the server's log) and finds them in their agenda."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

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

START = FESTIVAL_START + timedelta(hours=1)
# The run sheet: 5 + 30 + 10 minutes; the last item, "Questions", is planned at +35.
DURING = START + timedelta(minutes=10)
LAST_ITEM = START + timedelta(minutes=36)
AFTER = START + timedelta(minutes=46)
MAIL_SUBJECT = "What came out of it: Network bingo"


def seed(server: Any) -> dict[str, str]:
    with server.app.app_context():
        festival = make_festival(db.session)
        host = make_user(db.session, name="Hana Host")
        attendee = make_user(db.session, name="Ada Attendee")
        absent = make_user(db.session, name="Abe Absent")
        session = make_session(
            db.session, festival, starts_at=START, hosts=[host], title="Network bingo"
        )
        make_registration(db.session, session, attendee, "confirmed", FESTIVAL_START)
        make_registration(db.session, session, absent, "confirmed", FESTIVAL_START)
        db.session.commit()
        seeded = {
            "slug": session.slug,
            "host": host.email,
            "attendee": attendee.email,
            "absent": absent.email,
        }
        db.session.remove()
    return seeded


def mails_to(server: Any, email: str) -> list[str]:
    """The console mails to `email` in the server's log, each as its header line and body."""
    log = server.log_path.read_text(errors="replace")
    return [chunk for chunk in log.split("--- mail to ")[1:] if chunk.startswith(f"{email}:")]


def mail_after_the_jobs(server: Any, email: str, subject: str) -> str:
    """The job runner mails off the request: one round run to its end has sent what was due."""
    server.run_jobs()
    found = [mail for mail in mails_to(server, email) if subject in mail.split("\n", 1)[0]]
    assert found, f"no mail “{subject}” to {email}:\n{server.log_path.read_text()[-3000:]}"
    return found[0]


def test_host_writes_outcomes_and_the_room_hears_of_them(new_page, server) -> None:
    seeded = seed(server)
    slug = seeded["slug"]
    server.set_clock(DURING)

    # The attendee is in the room while the session runs, then leaves.
    attendee = new_page()
    sign_in(attendee, seeded["attendee"])
    attendee.goto(f"/sessions/{slug}/live")
    attendee.locator("#live-status[data-state=online]").wait_for()
    attendee.goto("/")

    # Before the last item the host's panel says when the form opens.
    host = new_page()
    sign_in(host, seeded["host"])
    host.goto(f"/sessions/{slug}/live")
    panel = host.locator("#outcomes")
    assert "The form opens when the run sheet's last item" in panel.inner_text()
    assert panel.get_by_role("button", name="Save the outcomes").count() == 0

    # In the last item, the form: a summary and a link, saved without JavaScript's help.
    server.set_clock(LAST_ITEM)
    host.reload()
    panel.get_by_label("Summary").fill("We named **two** pitfalls.\n\n<script>alert(1)</script>")
    first_link = panel.get_by_role("group", name="Link 1")
    first_link.get_by_label("Title").fill("Slides")
    first_link.get_by_label("Address").fill("notaurl")
    panel.get_by_role("button", name="Save the outcomes").click()

    # A bad address comes back with its problem, and what was typed is kept.
    host.get_by_text("Link 1: its address must start with http:// or https://.").wait_for()
    assert host.get_by_label("Summary").input_value().startswith("We named **two** pitfalls.")
    assert_accessible(host)
    host.get_by_role("group", name="Link 1").get_by_label("Address").fill(
        "https://example.org/slides.pdf"
    )
    host.get_by_role("button", name="Save the outcomes").click()
    host.get_by_text("The outcomes are saved").wait_for()
    assert host.url.endswith(f"/sessions/{slug}/live#outcomes-title")
    assert host.get_by_label("Summary").input_value().startswith("We named **two** pitfalls.")
    assert_accessible(host, "#outcomes")

    # They show on the session page, sanitised, for anyone.
    visitor = new_page()
    visitor.goto(f"/sessions/{slug}")
    outcomes = visitor.get_by_role("region", name="What came out of it")
    assert outcomes.locator("strong").inner_text() == "two"
    assert outcomes.locator("script").count() == 0
    assert_accessible(visitor)
    assert outcomes.get_by_role("link", name="Slides").get_attribute("href") == (
        "https://example.org/slides.pdf"
    )

    # At the end, the job mails everyone who was in the room, once; not the absent.
    server.set_clock(AFTER)
    mail = mail_after_the_jobs(server, seeded["attendee"], MAIL_SUBJECT)
    assert "We named **two** pitfalls." in mail
    assert f"{server.url}/sessions/{slug}" in mail
    assert mails_to(server, seeded["absent"]) == []

    # The attendee finds them in their agenda.
    attendee.goto("/me/agenda")
    attendee.get_by_text("What came out of it").click()
    assert attendee.get_by_role("link", name="Slides").is_visible()
    assert_accessible(attendee)
    assert "We named two pitfalls." in attendee.locator(".agenda-item__outcomes").inner_text()
    assert len(mails_to(server, seeded["attendee"])) == 1
