"""Polls in headless Chromium against a real server: the host opens a prepared poll, two
attendees answer (by keyboard, one by mouse), counts move on every screen, the host closes."""

from __future__ import annotations

from typing import Any

import pytest

from networkfest.extensions import db
from networkfest.polls import services as polls
from tests.browser.axe import assert_accessible
from tests.browser.journeys import sign_in
from tests.browser.test_live_room import DURING, open_room, watch_errors
from tests.factories import (
    FESTIVAL_START,
    make_festival,
    make_registration,
    make_session,
    make_user,
)

pytestmark = pytest.mark.browser

PREPARED = [
    {
        "question": "Which pitfall does your network have?",
        "options": ["Unclear purpose", "Hard to show it was worth it", "Fizzling out"],
        "multiple": True,
        "results": "live",
    }
]


def seed(server: Any) -> dict[str, str]:
    with server.app.app_context():
        festival = make_festival(db.session)
        host = make_user(db.session, name="Hana Host")
        ada = make_user(db.session, name="Ada Attendee")
        bo = make_user(db.session, name="Bo Attendee")
        session = make_session(db.session, festival, hosts=[host], qa_mode="open")
        session.prepared_polls = PREPARED
        for person in (ada, bo):
            make_registration(db.session, session, person, "confirmed", FESTIVAL_START)
        db.session.commit()
        polls.sync_prepared(db.session, festival.id, FESTIVAL_START)
        seeded = {"slug": session.slug, "host": host.email, "ada": ada.email, "bo": bo.email}
        db.session.remove()
    server.set_clock(DURING)
    return seeded


def counts(page: Any) -> list[str]:
    rows = page.locator("#poll-open .poll-results tbody tr td:first-of-type")
    return rows.all_inner_texts()


def test_host_opens_two_attendees_answer_host_closes(new_page, server) -> None:
    seeded = seed(server)
    host, ada, bo = new_page(), new_page(), new_page()
    errors = [watch_errors(page) for page in (host, ada, bo)]
    for page, who in ((host, "host"), (ada, "ada"), (bo, "bo")):
        sign_in(page, seeded[who])
        open_room(page, seeded["slug"])
    assert ada.locator("#polls-empty").is_visible() or ada.locator("#live-polls").is_hidden()

    host.get_by_role("button", name="Open the poll: Which pitfall does your network have?").click()
    host.locator("#poll-open .poll-results").wait_for()

    # Ada answers by keyboard: the poll is a fieldset of checkboxes named by its legend.
    group = ada.get_by_role("group", name="Which pitfall does your network have?")
    group.wait_for()
    first = group.get_by_role("checkbox", name="Unclear purpose")
    first.focus()
    ada.keyboard.press("Space")
    ada.keyboard.press("Tab")
    ada.keyboard.press("Space")  # Hard to show it was worth it
    ada.get_by_role("button", name="Answer").click()
    ada.locator("#poll-open .poll__mine", has_text="Your answer is in").wait_for()

    bo.get_by_role("checkbox", name="Hard to show it was worth it").check()
    bo.get_by_role("button", name="Answer").click()

    for page in (host, ada, bo):
        page.wait_for_function(
            "() => [...document.querySelectorAll('#poll-open .poll-results tbody tr')]"
            ".map(r => r.children[1].textContent).join(',') === '1,2,0'"
        )
    assert "2 people answered" in host.locator("#poll-open .poll__total").inner_text()
    assert_accessible(ada)
    assert_accessible(host)

    host.get_by_role("button", name="Close this poll").click()
    for page in (host, ada, bo):
        page.locator("#polls-closed .poll", has_text="Which pitfall").wait_for()
        assert page.locator("#polls-empty").is_visible()
    closed = ada.locator("#polls-closed .poll-results tbody tr")
    assert closed.nth(1).locator("th").inner_text() == "Hard to show it was worth it"
    assert closed.nth(1).locator("td").first.inner_text() == "2"

    ada.reload()
    ada.locator("#live-status[data-state=online]").wait_for()
    assert ada.locator("#polls-closed .poll", has_text="Which pitfall").count() == 1
    assert_accessible(ada)
    assert errors == [[], [], []]
