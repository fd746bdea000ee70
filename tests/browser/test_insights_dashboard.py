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

from networkfest.extensions import db
from tests.browser.axe import assert_accessible
from tests.browser.test_demo_journey import seed_demo, sign_in
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
    sign_in(page, "organiser@example.org")
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
    sign_in(page, "organiser@example.org")
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
    sign_in(page, "organiser@example.org")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/organiser/punctuality")
        assert page.get_by_text("No record:").first.is_visible()
        assert page.get_by_text("Not yet:").first.is_visible()
        assert page.evaluate(OVERFLOW) <= 0
        assert_accessible(page)
    host = new_page()
    sign_in(host, seeded["host"])
    host.set_viewport_size({"width": 1280, "height": 900})
    host.goto("/host/insights")
    assert host.evaluate(OVERFLOW) <= 0
    assert_accessible(host)
    # A past session of the demo host's, with its feedback drawn as a chart.
    host.goto("/sessions/opening-circle/feedback/results")
    assert host.locator("svg[role=img]").count() == 1
    assert "answers" in (host.locator("#worth-distribution-desc").text_content() or "")
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
        assert page.evaluate(OVERFLOW) <= 0
        assert_accessible(page)
