"""WCAG 2.2 AA in a real browser: axe-core on every page people use, and keyboard-only journeys.

The festival is seeded so that each page shows its fullest state: a live session with
questions in every status (so backstage has work), an ended session with attendance and
feedback (so the dashboard has figures), a full session with a waitlist, a cancelled one and
a notice for the attendee. Every page is checked at a desktop and a phone width.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from networkfest.extensions import db
from networkfest.insights.models import Feedback
from networkfest.live.models import Presence
from networkfest.notifications.models import Notice
from networkfest.qa.models import Question, Vote
from tests.browser.axe import assert_accessible, run_axe
from tests.conftest import sign_in_cookie
from tests.factories import (
    FESTIVAL_START,
    make_festival,
    make_registration,
    make_session,
    make_user,
)

pytestmark = pytest.mark.browser

LIVE_START = FESTIVAL_START + timedelta(hours=2)
NOW = LIVE_START + timedelta(minutes=12)
REGISTERED = NOW - timedelta(minutes=60)
ENDED_START = FESTIVAL_START + timedelta(minutes=30)
# A desktop, and the 320 CSS pixels at which WCAG 1.4.10 (reflow) asks for no sideways scrolling.
WIDTHS = (1280, 320)
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _question(
    session_id: int, author_id: int, text: str, status: str, *, votes: int = 0, **extra: Any
) -> Question:
    at = LIVE_START + timedelta(minutes=2)
    question = Question(
        session_id=session_id,
        author_id=author_id,
        text=text,
        status=status,
        votes=votes,
        created_at=at,
        updated_at=at,
        **extra,
    )
    db.session.add(question)
    return question


def seed(server: Any) -> dict[str, str]:
    """A festival in full swing at NOW; returns slugs and the people's login ids."""
    with server.app.app_context():
        festival = make_festival(db.session)
        host = make_user(db.session, name="Hana Host")
        attendee = make_user(db.session, name="Ada Attendee")
        other = make_user(db.session, name="Omar Other")
        organiser = make_user(db.session, name="Olu Organiser", organiser=True)
        live = make_session(
            db.session,
            festival,
            title="Network bingo: spotting the common pitfalls",
            starts_at=LIVE_START,
            minutes=45,
            hosts=[host],
            capacity=30,
            qa_mode="moderated",
            agenda=[("Welcome and purpose", 5), ("Bingo in pairs", 25), ("Questions", 15)],
        )
        ended = make_session(
            db.session,
            festival,
            title="Purpose in one sentence",
            theme="method",
            format="workshop",
            starts_at=ENDED_START,
            minutes=45,
            hosts=[host],
        )
        full = make_session(
            db.session,
            festival,
            title="Learning sets that last",
            theme="learning",
            format="talk",
            starts_at=FESTIVAL_START + timedelta(days=1, hours=2),
            minutes=30,
            capacity=1,
            hosts=[host],
        )
        cancelled = make_session(
            db.session,
            festival,
            title="Panel: funding the network",
            format="panel",
            starts_at=FESTIVAL_START + timedelta(days=2, hours=5),
            minutes=60,
            status="cancelled",
        )
        open_later = make_session(
            db.session,
            festival,
            title="Peer circle: when members go quiet",
            theme="learning",
            starts_at=FESTIVAL_START + timedelta(days=1, hours=5),
            minutes=45,
            capacity=20,
        )
        clashing = make_session(
            db.session,
            festival,
            title="Quick wins for network leads",
            theme="method",
            starts_at=LIVE_START + timedelta(minutes=30),
            minutes=30,
        )
        for session, person, status, at in (
            (live, attendee, "confirmed", REGISTERED),
            (live, other, "confirmed", REGISTERED),
            (ended, attendee, "confirmed", REGISTERED),
            (ended, other, "confirmed", REGISTERED),
            (full, other, "confirmed", REGISTERED - timedelta(minutes=30)),
            (full, attendee, "waitlisted", REGISTERED),
            (cancelled, attendee, "confirmed", REGISTERED),
        ):
            make_registration(db.session, session, person, status, at)
        top = _question(
            live.id,
            other.id,
            "How do we keep a network going after the funding ends?",
            "visible",
            votes=2,
            pinned=True,
        )
        _question(live.id, attendee.id, "Which pitfall is the most common?", "answered", votes=1)
        _question(live.id, other.id, "Is bingo fair to quiet members?", "visible", anonymous=True)
        _question(live.id, attendee.id, "Can we share the bingo card afterwards?", "pending")
        _question(live.id, other.id, "Off-topic advert", "hidden")
        db.session.flush()
        db.session.add(Vote(question_id=top.id, user_id=attendee.id, created_at=NOW))
        for person in (attendee, other):
            db.session.add(
                Presence(
                    session_id=ended.id,
                    user_id=person.id,
                    sid=f"seed-{person.id}",
                    joined_at=ENDED_START,
                    left_at=ENDED_START + timedelta(minutes=45),
                )
            )
        db.session.add(
            Feedback(
                session_id=ended.id,
                user_id=other.id,
                worth=4,
                different="Timebox every item and say the purpose first.",
                follow_up=True,
                created_at=ENDED_START + timedelta(minutes=46),
                updated_at=ENDED_START + timedelta(minutes=46),
            )
        )
        db.session.add(
            Notice(
                user_id=attendee.id,
                session_id=cancelled.id,
                kind="cancelled",
                message="Panel: funding the network has been cancelled.",
                created_at=NOW - timedelta(hours=1),
            )
        )
        db.session.commit()
        seeded = {
            "live": live.slug,
            "ended": ended.slug,
            "full": full.slug,
            "cancelled": cancelled.slug,
            "open": open_later.slug,
            "clashing": clashing.slug,
            "host": sign_in_cookie(host),
            "attendee": sign_in_cookie(attendee),
            "other": sign_in_cookie(other),
            "organiser": sign_in_cookie(organiser),
            "attendee_email": attendee.email,
            "host_email": host.email,
        }
        db.session.remove()
    server.set_clock(NOW)
    return seeded


def signed_in(new_page: Any, server: Any, user_id: str | None) -> Any:
    """A page whose browser carries a signed session for the user; anonymous when None."""
    page = new_page()
    if user_id is None:
        return page
    serializer = server.app.session_interface.get_signing_serializer(server.app)
    cookie = serializer.dumps({"_user_id": user_id, "_fresh": True})
    page.context.add_cookies(
        [{"name": server.app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": server.url}]
    )
    return page


def check(page: Any, path: str, ready: str | None = None) -> None:
    """Open `path`, wait for `ready` (a selector), and check the page at each width.

    Besides axe: the page itself never scrolls sideways (wide tables scroll in their own box).
    """
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        if ready:
            page.locator(ready).first.wait_for()
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at {width} px"
        assert_accessible(page)


def test_visitor_pages(new_page, server) -> None:
    seeded = seed(server)
    page = signed_in(new_page, server, None)
    check(page, "/schedule")
    check(page, "/schedule?theme=learning&format=talk")
    check(page, f"/sessions/{seeded['live']}")
    check(page, f"/sessions/{seeded['cancelled']}")
    check(page, f"/sessions/{seeded['live']}/live", "#live-status[data-state=online]")
    check(page, "/schedule/changes")
    check(page, "/signup")
    check(page, "/login")
    check(page, "/forgot-password")
    check(page, "/privacy")


def test_forms_with_errors(new_page, server) -> None:
    seed(server)
    page = signed_in(new_page, server, None)
    page.goto("/signup")
    page.get_by_role("button", name="Create account").click()
    page.locator(".field .error").first.wait_for()
    assert_accessible(page)
    page.goto("/login")
    page.locator("input[name=email]").fill("nobody@example.org")
    page.locator("input[name=password]").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.locator("[role=alert], .error").first.wait_for()
    assert_accessible(page)


def test_attendee_pages(new_page, server) -> None:
    seeded = seed(server)
    page = signed_in(new_page, server, seeded["attendee"])
    check(page, "/schedule")
    check(page, "/me/agenda")
    check(page, f"/sessions/{seeded['live']}")
    check(page, f"/sessions/{seeded['full']}")
    check(page, f"/sessions/{seeded['open']}")
    check(page, f"/sessions/{seeded['live']}/live", "#live-status[data-state=online]")
    check(page, f"/sessions/{seeded['ended']}/live", "#live-status[data-state=online]")
    check(page, f"/sessions/{seeded['ended']}/feedback")
    check(page, "/me")
    page.goto(f"/sessions/{seeded['clashing']}")
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="This overlaps your agenda").wait_for()
    assert_accessible(page)


def test_host_pages(new_page, server) -> None:
    seeded = seed(server)
    page = signed_in(new_page, server, seeded["host"])
    check(page, f"/sessions/{seeded['live']}/live", "#live-status[data-state=online]")
    check(page, f"/sessions/{seeded['ended']}/live", "#live-status[data-state=online]")
    check(page, f"/sessions/{seeded['ended']}/feedback/results")
    check(page, "/host/insights")


def test_organiser_pages(new_page, server) -> None:
    seeded = seed(server)
    page = signed_in(new_page, server, seeded["organiser"])
    check(page, "/organiser/insights")
    check(page, "/organiser/insights?theme=method&sort=worth_mean&dir=desc")
    check(page, "/organiser/users")
    check(page, "/organiser/schedule")
    check(page, "/organiser/punctuality")
    check(page, f"/sessions/{seeded['live']}/live", "#live-status[data-state=online]")


def test_error_page(new_page, server) -> None:
    seed(server)
    page = signed_in(new_page, server, None)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto("/sessions/no-such-session")
        assert response is not None and response.status == 404
        assert_accessible(page)


def test_axe_runs_under_the_sites_csp_and_catches_a_planted_fault(new_page, server) -> None:
    """The harness is not vacuous: axe loads despite the strict CSP and reports a known fault."""
    page = new_page()
    response = page.goto("/login")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert run_axe(page) == []
    page.evaluate(
        """() => {
            const button = document.createElement("button");
            button.className = "planted";
            document.querySelector("main").append(button);
        }"""
    )
    violations = run_axe(page)
    assert [v["id"] for v in violations] == ["button-name"]
    assert violations[0]["nodes"][0]["target"] == ".planted"
