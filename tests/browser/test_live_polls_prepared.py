"""A new programme published while a session is live reaches its host's backstage panel in
headless Chromium without a reload: the organiser uploads the file, the host's prepared list
changes, and the new poll opens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from networkfest.extensions import db
from networkfest.programme.services import publish
from tests.browser.axe import assert_accessible
from tests.browser.journeys import sign_in
from tests.browser.test_live_room import open_room, watch_errors
from tests.factories import make_user
from tests.programme.schedules import schedule, session

pytestmark = pytest.mark.browser

# Session "alpha" runs 10:00-10:30 in London on 21 September (09:00-09:30 UTC).
WEEKS_BEFORE = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
LIVE = datetime(2026, 9, 21, 9, 10, tzinfo=UTC)
PITFALLS = (
    '{ question = "Which pitfall does your network have?", '
    'options = ["Unclear purpose", "Fizzling out"], multiple = true }'
)
BREAKOUT = '{ question = "Ready for the breakout?", options = ["Yes", "Not yet"] }'


def programme(*polls: str) -> str:
    return schedule(session(extra=f"polls = [{', '.join(polls)}]"))


def seed(server: Any) -> dict[str, str]:
    with server.app.app_context():
        host = make_user(db.session, email="host@example.org", name="Hana Host")
        organiser = make_user(db.session, name="Orla Organiser", organiser=True)
        db.session.commit()
        assert publish(db.session, programme(PITFALLS), WEEKS_BEFORE).version == 1
        seeded = {"host": host.email, "organiser": organiser.email}
        db.session.remove()
    server.set_clock(LIVE)
    return seeded


def test_a_published_change_reaches_the_hosts_prepared_list(new_page, server, tmp_path) -> None:
    seeded = seed(server)
    host, organiser = new_page(), new_page()
    errors = watch_errors(host)
    sign_in(host, seeded["host"])
    open_room(host, "alpha")
    panel = host.locator("#polls-prepared")
    pitfalls = "Open the poll: Which pitfall does your network have?"
    panel.get_by_role("button", name=pitfalls).wait_for()
    assert panel.get_by_role("button", name="Open the poll: Ready for the breakout?").count() == 0

    sign_in(organiser, seeded["organiser"])
    organiser.goto("/organiser/schedule")
    organiser.set_input_files(
        "#file",
        files=[
            {
                "name": "festival.toml",
                "mimeType": "text/plain",
                "buffer": programme(PITFALLS, BREAKOUT).encode(),
            }
        ],
    )
    organiser.get_by_role("button", name="Check and publish").click()
    organiser.wait_for_load_state()

    opener = panel.get_by_role("button", name="Open the poll: Ready for the breakout?")
    opener.wait_for()
    assert panel.get_by_role("button").count() == 2
    host.locator("#live-announcer", has_text="prepared polls were updated").wait_for(
        state="attached"
    )
    assert_accessible(host)

    opener.click()
    host.get_by_role("button", name="Close this poll").wait_for()
    assert host.locator("#poll-open", has_text="Ready for the breakout?").count() == 1
    assert errors == []
