"""Keyboard-only journeys in a real browser: Tab, Shift+Tab, Enter and Space, never the mouse.

At every stop on the way the focused element must show a visible focus indicator (an
outline or a box shadow), and focus must never fall back to the page itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.test_accessibility import seed
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        name: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim(),
        visible: outline || style.boxShadow !== "none",
    };
}"""


def focused(page: Any) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)


def tab_to(page: Any, wanted: Any, limit: int = 60, key: str = "Tab") -> dict[str, Any]:
    """Press Tab (or `key`) until `wanted(focused)` holds; every stop must show its focus."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        assert now is not None, f"focus fell back to the page after {seen}"
        assert now["visible"], f"no visible focus on {now}"
        seen.append(f"{now['tag']}:{now['name'][:30]}")
        if wanted(now):
            return now
    raise AssertionError(f"never reached the target; tab order was {seen}")


def named(text: str) -> Any:
    return lambda element: element["name"] == text


def test_keyboard_sign_in_and_register(new_page, server) -> None:
    seeded = seed(server)
    page = new_page()
    page.goto("/login")
    email = focused(page)
    assert email is not None and email["id"] == "email", "the email field should have focus"
    page.keyboard.type(seeded["attendee_email"])
    tab_to(page, lambda el: el["id"] == "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/schedule")

    # The skip link is the first stop and takes focus past the header to the content.
    first = tab_to(page, lambda el: True)
    assert first["name"] == "Skip to main content"
    assert page.get_by_role("link", name="Skip to main content").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, named("Peer circle: when members go quiet"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sessions/{seeded['open']}")

    tab_to(page, named("Register"))
    page.keyboard.press("Space")
    page.locator(".flashes").wait_for()
    panel = page.locator(".registration-panel")
    assert "You have a place" in panel.inner_text()
    assert panel.get_by_role("button", name="Cancel my place").is_visible()
    assert_accessible(page)

    # The agenda, reached from the header by keyboard, lists the new place.
    tab_to(page, named("My agenda"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/agenda")
    assert "Peer circle: when members go quiet" in page.get_by_role("main").inner_text()


def test_keyboard_ask_approve_and_vote(new_page, server) -> None:
    seeded = seed(server)
    attendee, host = new_page(), new_page()
    for page, who in ((attendee, "attendee"), (host, "host")):
        page.goto("/login")
        # Two pages are open, and autofocus is only sure to reach the address field in the
        # one in front (the other test signs in by keyboard from autofocus alone).
        page.bring_to_front()
        page.locator("input[name=email]").focus()
        page.keyboard.type(seeded[f"{who}_email"])
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/schedule")
        page.goto(f"/sessions/{seeded['live']}/live")
        page.locator("#live-status[data-state=online]").wait_for()

    tab_to(attendee, lambda el: el["id"] == "ask-text")
    attendee.keyboard.type("Could the bingo card work for a virtual team?")
    assert attendee.locator("#ask-count").inner_text() == "455 characters left"
    tab_to(attendee, lambda el: el["id"] == "ask-anonymous")
    attendee.keyboard.press("Space")
    assert attendee.locator("#ask-anonymous").is_checked()
    tab_to(attendee, named("Ask"))
    attendee.keyboard.press("Enter")
    mine = attendee.locator("#questions .question", has_text="Could the bingo card work")
    mine.wait_for()
    assert "Awaiting moderation" in mine.inner_text()
    assert "Anonymous" in mine.inner_text()
    # The question can reach the page before the ask's acknowledgement, which is what
    # empties the box and gives it the focus back: wait for that, as a person would.
    expect(attendee.locator("#ask-text")).to_have_value("")
    after = focused(attendee)
    assert after is not None and after["id"] == "ask-text", "focus returns to the question box"

    # The host approves it from the backstage list, by keyboard.
    pending = host.locator("#backstage .question", has_text="Could the bingo card work")
    pending.wait_for()
    pending_id = pending.get_attribute("data-id")
    tab_to(
        host,
        lambda el: (
            el["name"] == "Approve"
            and host.evaluate("document.activeElement.closest('.question').dataset.id")
            == pending_id
        ),
        limit=120,
    )
    host.keyboard.press("Enter")
    attendee.locator(
        f'#questions .question[data-id="{pending_id}"][data-status="visible"]'
    ).wait_for()
    # The approved question left the backstage queue; focus stays in the queue, on the next
    # question's Approve, so a host can work through it without finding their place again.
    host.locator(f'#questions .question[data-id="{pending_id}"]').wait_for()
    next_up = focused(host)
    assert next_up is not None and next_up["name"] == "Approve"
    assert host.evaluate("document.activeElement.closest('#backstage') !== null")

    # Back up from the question box to its vote button, and vote with Space.
    vote = attendee.locator(f'#questions .question[data-id="{pending_id}"] [data-action="vote"]')
    tab_to(
        attendee,
        lambda el: attendee.evaluate(
            "document.activeElement.dataset.action === 'vote' && "
            f"document.activeElement.closest('.question').dataset.id === '{pending_id}'"
        ),
        key="Shift+Tab",
    )
    attendee.keyboard.press("Space")
    attendee.locator(
        f'#questions .question[data-id="{pending_id}"] [data-action="vote"][aria-pressed="true"]'
    ).wait_for()
    assert vote.locator("[data-votes]").inner_text() == "1"
    assert_accessible(attendee)
    assert_accessible(host)
