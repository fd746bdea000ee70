"""A person signs up, confirms the address, signs in and out in a real browser, keyboard
included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from networkfest.accounts.links import verification_link
from networkfest.accounts.models import User
from networkfest.extensions import db
from tests.factories import make_festival

pytestmark = pytest.mark.browser

PASSWORD = "four unrelated words here"


def test_sign_up_sign_out_sign_in(new_page, server) -> None:
    with server.app.app_context():
        make_festival(db.session)
        db.session.commit()
    page = new_page()
    page.goto("/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Your name").fill("Ann Example")
    page.get_by_label("E-mail address").fill("Ann@Example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.get_by_text("ann@example.org")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()  # not signed in yet

    # The link the mail carries (the same signature the server would mail).
    with server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ann@example.org"))
        link = verification_link(user).removeprefix("http://localhost")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your address is confirmed"
    )
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill("ann@example.org")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(nav.get_by_role("link", name="Ann Example")).to_be_visible()
    nav.get_by_role("link", name="Ann Example").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("ann@example.org").first).to_be_visible()
    expect(page.get_by_text("Confirm your e-mail address")).to_have_count(0)

    nav.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
