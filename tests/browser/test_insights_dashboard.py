"""The organisers' dashboard and punctuality page in headless Chromium, on the demo's record:
readable at 1280 px and on a phone, the sessions table scrolling in its own box under a
sticky header, axe-core clean, and empty states on a festival with nothing yet.

`NETWORKFEST_SCREENSHOTS=1` also saves the demo's dashboard at 1280 px as
docs/screenshots/dashboard.png (the README shows it):

    NETWORKFEST_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_insights_dashboard.py
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from networkfest.commitments.models import Commitment
from networkfest.demo.services import DEMO_PASSWORD
from networkfest.extensions import db
from networkfest.live.models import Presence
from networkfest.polls.models import Poll, PollChoice
from networkfest.programme.queries import session_by_slug
from tests.browser.axe import assert_accessible
from tests.browser.journeys import sign_in
from tests.browser.test_demo_journey import seed_demo
from tests.factories import FESTIVAL_START, PASSWORD, make_festival, make_session, make_user

pytestmark = pytest.mark.browser

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"


def box_metrics(page: Any) -> dict[str, float]:
    return page.evaluate(
        """() => {
            const box = document.querySelector("#sessions-table").closest(".data-table-box");
            return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth,
                    scrollHeight: box.scrollHeight, clientHeight: box.clientHeight};
        }"""
    )


def title_lines(page: Any) -> int:
    """The most lines any session title takes in the table."""
    return page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
            "#sessions-table tbody th[scope=row] > a")].map((a) => {
                const line = parseFloat(getComputedStyle(a).lineHeight);
                return Math.round(a.getBoundingClientRect().height / line);
            }))"""
    )


def test_the_demo_dashboard_reads_at_1280_px(new_page, server) -> None:
    seed_demo(server)
    page = new_page()
    sign_in(page, "organiser@example.org", DEMO_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/organiser/insights")
    assert page.evaluate(OVERFLOW) <= 0
    metrics = box_metrics(page)
    # Every column fits: no sideways scrolling at 1280 px, and titles on a line or two.
    assert metrics["scrollWidth"] <= metrics["clientWidth"] + 1, metrics
    assert title_lines(page) <= 2
    # The groups of columns are named above them.
    groups = page.locator("#sessions-table thead tr").first.locator("th").all_inner_texts()
    assert [g.strip().lower() for g in groups] == [
        "session",
        "attendance",
        "questions",
        "time",
        "worth it",
    ]
    # The table scrolls inside its box and its header stays in view.
    assert metrics["scrollHeight"] > metrics["clientHeight"]
    box = page.locator("#sessions-table").locator("xpath=..")
    header = page.locator("#sessions-table thead th").nth(1)
    top_before = header.bounding_box()["y"]
    box.evaluate("(element) => { element.scrollTop = 400; }")
    assert abs(header.bounding_box()["y"] - top_before) < 1
    # The charts say what they show, and with what unit.
    assert page.locator(".chart__description").count() == 4
    assert "people" in (page.locator("#attendance-by-day-desc").text_content() or "")
    assert " min" in (page.locator("#punctuality-by-day-desc").text_content() or "")
    assert_accessible(page)
    if os.environ.get("NETWORKFEST_SCREENSHOTS") == "1":
        # From the top to the end of the sessions table: the answers below run long.
        box.evaluate("(element) => { element.scrollTop = 0; }")
        page.evaluate("window.scrollTo(0, 0)")
        bottom = page.evaluate(
            """() => document.querySelector("#sessions-table").closest(".data-table-box")
                .getBoundingClientRect().bottom + window.scrollY + 24"""
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOT),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": bottom},
        )


def test_the_demo_dashboard_on_a_phone(new_page, server) -> None:
    seed_demo(server)
    page = new_page()
    sign_in(page, "organiser@example.org", DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/organiser/insights")
    # The page never scrolls sideways: the table does, inside its box, titles kept in view.
    assert page.evaluate(OVERFLOW) <= 0
    metrics = box_metrics(page)
    assert metrics["scrollWidth"] > metrics["clientWidth"]
    first = page.locator("#sessions-table tbody th[scope=row]").first
    left_before = first.bounding_box()["x"]
    page.locator("#sessions-table").locator("xpath=..").evaluate(
        "(element) => { element.scrollLeft = 300; }"
    )
    assert abs(first.bounding_box()["x"] - left_before) < 1
    assert title_lines(page) <= 3
    assert_accessible(page)


def test_the_punctuality_page_and_the_host_dashboard_are_accessible(new_page, server) -> None:
    seeded = seed_demo(server)
    page = new_page()
    sign_in(page, "organiser@example.org", DEMO_PASSWORD)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/organiser/punctuality")
        assert page.get_by_text("No record:").first.is_visible()
        assert page.get_by_text("Not yet:").first.is_visible()
        assert page.evaluate(OVERFLOW) <= 0
        assert_accessible(page)
    host = new_page()
    sign_in(host, seeded["host"], DEMO_PASSWORD)
    host.set_viewport_size({"width": 1280, "height": 900})
    host.goto("/host/insights")
    assert host.evaluate(OVERFLOW) <= 0
    assert_accessible(host)
    # A past session of the demo host's, with its feedback drawn as a chart.
    host.goto("/sessions/opening-circle/feedback/results")
    assert host.locator("svg[role=img]").count() == 1
    assert "answers" in (host.locator("#worth-distribution-desc").text_content() or "")
    assert_accessible(host)


def add_commitments(server: Any, answers: list[str | None]) -> None:
    """A session beside the demo's past "opening-circle" (same hosts, same slot), with one
    commitment per answer from new people, all of them in the room, and a poll the first two
    answered: its rows' figures are known exactly."""
    with server.app.app_context():
        past = session_by_slug(db.session, "opening-circle")
        assert past is not None
        checked = make_session(
            db.session,
            past.festival,
            slug="follow-through-check",
            title="Follow-through check",
            starts_at=past.starts_at,
            hosts=list(past.hosts),
        )
        ran = Poll(
            session_id=checked.id,
            question="Which pitfall is yours?",
            options=["Purpose", "Worth"],
            multiple=False,
            results="live",
            status="closed",
            opened_at=checked.starts_at,
            closed_at=checked.ends_at,
            created_at=checked.starts_at,
        )
        db.session.add(ran)
        for number, answer in enumerate(answers):
            person = make_user(db.session, name=f"Committed {number}")
            db.session.add(
                Presence(
                    session_id=checked.id,
                    user_id=person.id,
                    sid=f"check-{number}",
                    joined_at=checked.starts_at,
                    left_at=checked.ends_at,
                )
            )
            if number < 2:
                db.session.flush()
                db.session.add(
                    PollChoice(
                        poll_id=ran.id, user_id=person.id, option=1, answered_at=checked.starts_at
                    )
                )
            db.session.add(
                Commitment(
                    session_id=checked.id,
                    user_id=person.id,
                    text=f"Private words {number}",
                    made_at=checked.ends_at,
                    updated_at=checked.ends_at,
                    answer=answer,
                    answered_at=None if answer is None else checked.ends_at + timedelta(weeks=4),
                )
            )
        db.session.commit()
        db.session.remove()


def test_the_follow_through_section_renders_for_organisers_and_hosts(new_page, server) -> None:
    seeded = seed_demo(server)
    add_commitments(server, ["done", "done", "partly", "not_yet", None])
    row_selector = "#follow-through-table tr:has(a[href='/sessions/follow-through-check'])"
    page = new_page()
    sign_in(page, "organiser@example.org", DEMO_PASSWORD)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/organiser/insights")
        totals = page.locator("#follow-through-totals")
        assert totals.is_visible()
        assert [t.strip() for t in totals.locator("dt").all_inner_texts()] == [
            "Commitments",
            "Followed up",
            "Done",
            "Partly",
            "Not yet",
        ]
        # Commitments, followed up (= done + partly + not yet), done, partly, not yet, none.
        row = page.locator(row_selector)
        assert [c.strip() for c in row.locator("td").all_inner_texts()] == [
            "5",
            "4",
            "2",
            "1",
            "1",
            "1",
        ]
        assert "Private words" not in page.content()
        # Two of the five in the room answered the poll.
        polls = page.locator("#polls-table tr:has(a[href='/sessions/follow-through-check'])")
        assert [c.strip() for c in polls.locator("td").all_inner_texts()] == ["2", "5", "40%"]
        assert page.locator("#polls-table").get_by_text("Which pitfall is yours?").is_visible()
        assert page.evaluate(OVERFLOW) <= 0
        assert_accessible(page)
    host = new_page()
    sign_in(host, seeded["host"], DEMO_PASSWORD)
    host.set_viewport_size({"width": 1280, "height": 900})
    host.goto("/host/insights")
    assert host.locator(row_selector).is_visible()
    assert "Private words" not in host.content()
    assert_accessible(host)


def test_an_empty_dashboard_says_what_will_appear_and_when(new_page, server) -> None:
    with server.app.app_context():
        festival = make_festival(db.session)
        organiser = make_user(db.session, organiser=True)
        make_session(db.session, festival, starts_at=FESTIVAL_START + timedelta(days=1))
        db.session.commit()
        email = organiser.email
        db.session.remove()
    server.set_clock(FESTIVAL_START)
    page = new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/organiser/insights")
        empty = page.locator(".chart__empty")
        assert empty.count() == 4
        assert "once" in empty.first.inner_text()
        assert page.locator("svg[role=img]").count() == 0
        assert page.get_by_text("Not yet: it has not ended").is_visible()
        assert page.get_by_text("No written answers yet.", exact=False).is_visible()
        assert page.get_by_text("No commitments yet:", exact=False).is_visible()
        assert page.get_by_text("No poll has run yet.", exact=False).is_visible()
        assert page.evaluate(OVERFLOW) <= 0
        assert_accessible(page)
