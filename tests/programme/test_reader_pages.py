"""Signed-in people's programme and session pages (`pagecache.for_reader`): one frame, built
as for a visitor and kept, with each reader's own parts put in per request. Nobody's parts
reach anyone else's page, and the parts' forms carry the reader's own working CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask, template_rendered

from networkfest.extensions import db
from networkfest.programme.queries import session_by_slug
from tests.programme.test_routes import NOW, publish_programme

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@contextmanager
def templates_rendered(app: Flask) -> Iterator[list[str]]:
    names: list[str] = []

    def record(sender: object, template: Any, context: object, **extra: object) -> None:
        names.append(str(template.name))

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def main_of(page: str) -> str:
    """The page's main content, its whitespace aside (an empty part may leave a blank line)."""
    return " ".join(page.split('<main id="main"')[1].split("</main>")[0].split())


def signed_in(app: Flask, login: Any, person: Any) -> Any:
    return login(app.test_client(), person)


def test_readers_share_the_frame_and_see_only_their_own_parts(
    app: Flask, client: Any, factory: Any, login: Any
) -> None:
    publish_programme()
    beta = session_by_slug(db.session, "beta")
    ada = factory.user(name="Ada Registered", organiser=True)
    bo = factory.user(name="Bo Browsing")
    factory.registration(beta, ada, "confirmed", NOW)
    ada_client, bo_client = signed_in(app, login, ada), signed_in(app, login, bo)

    ada_page = ada_client.get("/schedule").get_data(as_text=True)
    with templates_rendered(app) as rendered:
        bo_page = bo_client.get("/schedule").get_data(as_text=True)
    visitor_page = client.get("/schedule").get_data(as_text=True)

    # Bo's page is Ada's frame: only the header's links and the notices are rendered.
    assert "programme/schedule.html" not in rendered and "base.html" not in rendered
    assert "accounts/_nav.html" in rendered
    assert "Ada Registered" in ada_page and "Organisers" in ada_page
    assert '<span class="badge badge--place">Registered</span>' in ada_page
    assert "Bo Browsing" in bo_page
    for others in (bo_page, visitor_page):
        assert "Ada Registered" not in others and "Organisers" not in others
        assert "badge--place" not in others
    assert "Bo Browsing" not in visitor_page and "Sign in" in visitor_page
    assert CSRF_META.search(visitor_page) is None and "csrf_token" not in visitor_page
    assert "networkfest-personal" not in ada_page + bo_page + visitor_page
    ada_token, bo_token = CSRF_META.search(ada_page), CSRF_META.search(bo_page)
    assert ada_token is not None and bo_token is not None
    # Apart from their parts, everyone reads the same page.
    assert main_of(bo_page) == main_of(visitor_page)


def test_a_readers_token_works_and_their_new_place_shows_at_once(
    app: Flask, factory: Any, login: Any
) -> None:
    """The register form's token comes from the reader's own part, and a place taken is a
    new frame (the seats changed) with the reader's badge in it."""
    publish_programme()
    bo = factory.user(name="Bo Browsing")
    bo_client = signed_in(app, login, bo)
    page = bo_client.get("/sessions/beta").get_data(as_text=True)
    token = CSRF_META.search(page)
    assert token is not None and "2 of 2 places left" in page
    assert f'name="csrf_token" value="{token[1]}"' in page  # the panel's form
    app.config["WTF_CSRF_ENABLED"] = True
    refused = bo_client.post("/sessions/beta/register", data={"csrf_token": "forged"})
    assert refused.status_code == 400
    taken = bo_client.post("/sessions/beta/register", data={"csrf_token": token[1]})
    assert taken.status_code in (302, 303)
    panel = bo_client.get("/sessions/beta").get_data(as_text=True)
    assert "You have a place." in panel and "Cancel my place" in panel
    assert "1 of 2 places left" in panel
    schedule = bo_client.get("/schedule").get_data(as_text=True)
    assert '<span class="badge badge--place">Registered</span>' in schedule


def test_a_place_sits_in_the_marks_line_or_on_a_line_of_its_own(
    app: Flask, clock: Any, factory: Any, login: Any
) -> None:
    """Before the session there is no mark of time, so the place has a line of its own;
    while it runs, the place joins the "Live now" line."""
    publish_programme()
    beta = session_by_slug(db.session, "beta")
    assert beta is not None
    ada = factory.user(name="Ada Registered")
    factory.registration(beta, ada, "waitlisted", NOW)
    ada_client = signed_in(app, login, ada)
    before = ada_client.get("/schedule").get_data(as_text=True)
    assert re.search(
        r'<p class="time-marks">\s*<span class="badge badge--warn">Waitlisted, position 1</span>'
        r"\s*</p>",
        before,
    )
    clock.set(beta.starts_at + timedelta(minutes=1))
    during = ada_client.get("/schedule").get_data(as_text=True)
    beta_card = during.split('id="s-beta"')[1].split("</article>")[0]
    line = re.search(r'<p class="time-marks">((?:(?!</p>).)*)</p>', beta_card, re.S)
    assert line is not None
    assert "Live now" in line[1] and "Waitlisted, position 1" in line[1]


def test_a_readers_session_page_renders_only_its_parts(
    app: Flask, factory: Any, login: Any
) -> None:
    publish_programme()
    first, second = factory.user(name="First Reader"), factory.user(name="Second Reader")
    signed_in(app, login, first).get("/sessions/alpha")
    with templates_rendered(app) as rendered:
        page = signed_in(app, login, second).get("/sessions/alpha").get_data(as_text=True)
    assert "programme/session.html" not in rendered
    assert "registration/_panel.html" in rendered
    assert "Second Reader" in page and "First Reader" not in page
    assert "Register" in page and "Run sheets &amp; &lt;timeboxes&gt;" in page


def test_page_text_that_looks_like_a_slot_stays_text(app: Flask, factory: Any, login: Any) -> None:
    """A slot is a comment no escaped or sanitised text can make: a description that spells
    one out is shown as written, and no reader's part is put into it."""
    from tests.programme.test_routes import PROGRAMME

    slot = "<!--networkfest-personal:account_nav:-->"
    publish_programme(PROGRAMME.replace("**Bring** an agenda.", f"**Bring** {slot}"))
    page = signed_in(app, login, factory.user(name="Ada Reader")).get("/sessions/alpha")
    text = page.get_data(as_text=True)
    assert "&lt;!--networkfest-personal:account_nav:--&gt;" in text
    assert text.count("Ada Reader") == 1


def test_a_notice_given_or_dismissed_changes_the_readers_programme_etag(
    app: Flask, factory: Any, login: Any
) -> None:
    """A browser revalidating its copy of the programme gets the banner as it is now: a new
    notice (a session moved) is a 200 with it, a dismissed one a 200 without it."""
    from networkfest.notifications.models import Notice

    publish_programme()
    ada = factory.user(name="Ada Registered")
    reader = signed_in(app, login, ada)
    etag = reader.get("/schedule").headers["ETag"]
    assert reader.get("/schedule", headers={"If-None-Match": etag}).status_code == 304
    notice = Notice(user_id=ada.id, kind="change", message="Your session moved to 11:00.")
    notice.created_at = NOW
    db.session.add(notice)
    db.session.commit()
    told = reader.get("/schedule", headers={"If-None-Match": etag})
    assert told.status_code == 200 and "Your session moved to 11:00." in told.get_data(as_text=True)
    assert reader.post(f"/notices/{notice.id}/seen").status_code in (302, 303)
    dismissed = reader.get("/schedule", headers={"If-None-Match": told.headers["ETag"]})
    assert dismissed.status_code == 200
    assert "Your session moved" not in dismissed.get_data(as_text=True)
