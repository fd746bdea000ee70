"""Staying in touch, in a browser: two people who were in the room choose it on the peers
page and see each other; a third who did not sees nobody and cannot read the list; one who
stops sharing vanishes from the other's list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from networkfest.extensions import db
from networkfest.live.models import Presence
from tests.browser.axe import assert_accessible
from tests.browser.test_insights_feedback import signed_in_page
from tests.conftest import sign_in_cookie
from tests.factories import FESTIVAL_START, make_festival, make_session, make_user

pytestmark = pytest.mark.browser

START = FESTIVAL_START + timedelta(hours=1)


def test_two_who_choose_see_each_other_a_third_sees_nobody(new_page, server):
    with server.app.app_context():
        festival = make_festival(db.session)
        session = make_session(db.session, festival, starts_at=START, minutes=45, title="Bingo")
        ann = make_user(db.session, name="Ann Able", email="ann@example.org")
        ann.organisation, ann.role = "Care Network", "Network lead"
        ben = make_user(db.session, name="Ben Bright", email="ben@example.org")
        cal = make_user(db.session, name="Cal Calm", email="cal@example.org")
        for person in (ann, ben, cal):
            db.session.add(
                Presence(
                    session_id=session.id,
                    user_id=person.id,
                    sid=f"browser-{person.id}",
                    joined_at=START,
                    left_at=START + timedelta(minutes=45),
                )
            )
        db.session.commit()
        slug = session.slug
        people = {"ann": ann, "ben": ben, "cal": cal}
        cookies = {name: sign_in_cookie(person) for name, person in people.items()}
    server.set_clock(START + timedelta(minutes=50))

    # Ann finds the way from the session page and chooses to stay in touch.
    ann_page = signed_in_page(new_page, server, cookies["ann"])
    ann_page.goto(f"/sessions/{slug}")
    ann_page.get_by_role("link", name="Staying in touch").click()
    ann_page.get_by_role("button", name="Share my details").click()
    ann_page.get_by_text("You are sharing your name").wait_for()
    ann_page.get_by_text("Nobody else has chosen to stay in touch yet.").wait_for()

    # Ben chooses too: each sees the other, with the e-mail as a link.
    ben_page = signed_in_page(new_page, server, cookies["ben"])
    ben_page.goto(f"/sessions/{slug}/peers")
    ben_page.get_by_role("button", name="Share my details").click()
    ben_page.get_by_text("Ann Able").wait_for()
    assert ben_page.get_by_text("Network lead, Care Network").is_visible()
    mail = ben_page.get_by_role("link", name="ann@example.org")
    assert mail.get_attribute("href") == "mailto:ann@example.org"
    ann_page.reload()
    ann_page.get_by_text("Ben Bright").wait_for()
    assert ann_page.get_by_role("link", name="ben@example.org").is_visible()
    assert_accessible(ann_page)

    # Cal was in the room but did not choose: offered the choice, shown nobody.
    cal_page = signed_in_page(new_page, server, cookies["cal"])
    cal_page.goto(f"/sessions/{slug}/peers")
    cal_page.get_by_role("button", name="Share my details").wait_for()
    assert_accessible(cal_page)
    body = cal_page.locator("main").inner_text()
    assert "Ann Able" not in body and "Ben Bright" not in body and "@example.org" not in body
    refused = cal_page.request.get(f"{server.url}/api/v1/sessions/{slug}/peers")
    assert refused.status == 403
    assert "ann@example.org" not in refused.text()

    # Ben stops sharing: he is gone from Ann's list at once, and sees nobody.
    ben_page.get_by_role("button", name="Stop sharing").click()
    ben_page.get_by_text("You have stopped sharing").wait_for()
    assert ben_page.get_by_text("Ann Able").count() == 0
    ann_page.reload()
    ann_page.get_by_text("Nobody else has chosen to stay in touch yet.").wait_for()
    assert ann_page.get_by_text("Ben Bright").count() == 0
