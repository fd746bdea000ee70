"""The live page when the server answers a vote `busy` (issue 18), in headless Chromium.

The page's socket is the real one, but its first `vote` acknowledgements are replaced by the
server's `busy` answer (an init script wraps Socket.IO's `io()`), so the test decides how
many times the server is "busy". The server's own `busy` is tested in tests/test_saturation.py
and tests/scale/test_small_pool.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from networkfest.extensions import db
from networkfest.qa import services
from tests.browser.journeys import sign_in
from tests.browser.test_live_room import open_room, watch_errors
from tests.factories import (
    FESTIVAL_START,
    make_festival,
    make_registration,
    make_session,
    make_user,
)

pytestmark = pytest.mark.browser

DURING = FESTIVAL_START + timedelta(hours=1, minutes=10)
BUSY = "The server is busy: please try again in a moment."
# Counts the page's `vote` emits; answers the first `window.busyVotes` of them `busy`.
BUSY_SERVER = """
(() => {
  let io;
  window.voteEmits = 0;
  window.busyVotes = 0;
  Object.defineProperty(window, "io", {
    configurable: true,
    set(value) { io = value; },
    get() {
      if (!io) { return undefined; }
      return function (...args) {
        const socket = io(...args);
        const emit = socket.emit.bind(socket);
        socket.emit = function (event, payload, ack) {
          if (event !== "vote") { return emit(event, payload, ack); }
          window.voteEmits += 1;
          if (window.voteEmits > window.busyVotes) { return emit(event, payload, ack); }
          setTimeout(() => ack({ ok: false, error: { code: "busy", message: BUSY_MESSAGE } }), 0);
          return socket;
        };
        return socket;
      };
    },
  });
})();
""".replace("BUSY_MESSAGE", json.dumps(BUSY))


def seed(server: Any) -> dict[str, str]:
    """An open-Q&A session, live, with one question by its host and a confirmed attendee."""
    with server.app.app_context():
        festival = make_festival(db.session)
        host = make_user(db.session, name="Hana Host")
        attendee = make_user(db.session, name="Ada Attendee")
        session = make_session(db.session, festival, hosts=[host], qa_mode="open")
        make_registration(db.session, session, attendee, "confirmed", FESTIVAL_START)
        db.session.commit()
        services.ask(db.session, session, host, "Which pitfall first?", False, DURING)
        seeded = {"slug": session.slug, "attendee": attendee.email}
        db.session.remove()
    server.set_clock(DURING)
    return seeded


def attendee_page(new_page: Any, server: Any, busy_votes: int) -> tuple[Any, list[str]]:
    seeded = seed(server)
    page = new_page()
    page.add_init_script(BUSY_SERVER)
    errors = watch_errors(page)
    sign_in(page, seeded["attendee"])
    open_room(page, seeded["slug"])
    page.evaluate(f"window.busyVotes = {busy_votes}")
    page.locator("#questions .question").first.wait_for()
    return page, errors


def test_a_vote_refused_busy_is_sent_again_and_counted(new_page, server) -> None:
    page, errors = attendee_page(new_page, server, busy_votes=2)

    page.locator('#questions [data-action="vote"]').first.click()

    page.locator('#questions [data-action="vote"][aria-pressed="true"]').wait_for()
    assert page.locator("#questions [data-votes]").first.inner_text() == "1"
    assert page.evaluate("window.voteEmits") == 3  # refused twice, counted the third time
    assert page.locator("[data-live-problem]").count() == 0
    assert errors == []


def test_a_vote_still_refused_after_four_tries_is_reported_not_counted(new_page, server) -> None:
    page, errors = attendee_page(new_page, server, busy_votes=99)

    page.locator('#questions [data-action="vote"]').first.click()

    problem = page.locator("[data-live-problem]")
    problem.wait_for()
    assert problem.get_attribute("role") == "alert"
    assert "too busy to count your vote" in problem.inner_text()
    assert page.evaluate("window.voteEmits") == 4
    assert page.locator('#questions [data-action="vote"]').first.get_attribute("aria-pressed") != (
        "true"
    )
    assert page.locator("#questions [data-votes]").first.inner_text() == "0"
    assert errors == []
