"""The live room's feedback panel offers the form only to people the form's POST accepts."""

from __future__ import annotations

import re
from datetime import timedelta

from networkfest.extensions import db
from networkfest.insights import services
from networkfest.insights.rules import FeedbackAnswer
from tests.factories import FESTIVAL_START
from tests.insights.conftest import after, attend

START = FESTIVAL_START + timedelta(hours=1)  # 10:00 BST; the session ends at 10:45 BST
PANEL = re.compile(r'<section class="panel feedback-panel" id="feedback".*?</section>', re.S)
FORM = 'action="/sessions/{slug}/feedback"'


def room_panel(client, slug: str) -> str:
    """The feedback panel of the live room's page, as the server rendered it."""
    response = client.get(f"/sessions/{slug}/live")
    assert response.status_code == 200
    found = PANEL.search(response.get_data(as_text=True))
    assert found is not None
    return found.group(0)


def opening_tag(panel: str) -> str:
    return panel.split(">", 1)[0]


def test_someone_who_was_in_the_room_gets_the_form_within_48_hours(factory, clock, signed_in):
    session = factory.session(factory.festival(), starts_at=START, minutes=45)
    person = factory.user()
    attend(session, person, after(START, 1), after(START, 40))
    clock.set(session.ends_at + timedelta(hours=47))
    client = signed_in(person)

    panel = room_panel(client, session.slug)

    assert FORM.format(slug=session.slug) in panel
    assert "Send feedback" in panel
    assert "data-feedback-refusal" not in panel
    assert not opening_tag(panel).endswith(" hidden")

    # Having answered already, they still see the form: sending again replaces the answer.
    services.submit_feedback(
        db.session, session, person.id, FeedbackAnswer(4, "", True), clock.now()
    )
    assert FORM.format(slug=session.slug) in room_panel(client, session.slug)


def test_after_48_hours_the_room_says_when_feedback_closed(factory, clock, signed_in):
    session = factory.session(factory.festival(), starts_at=START, minutes=45)
    person = factory.user()
    attend(session, person, after(START, 1), after(START, 40))
    clock.set(session.ends_at + timedelta(hours=48, minutes=1))

    panel = room_panel(signed_in(person), session.slug)

    assert "Feedback closed on" in panel
    assert ">Wednesday 23 September, 10:45 BST</time>." in panel
    assert 'datetime="2026-09-23T09:45:00+00:00"' in panel
    assert FORM.format(slug=session.slug) not in panel
    assert "Send feedback" not in panel


def test_someone_never_in_the_room_is_told_why_there_is_no_form(factory, clock, signed_in):
    session = factory.session(factory.festival(), starts_at=START, minutes=45)
    registered = factory.user()
    factory.registration(session, registered, "confirmed", START - timedelta(days=1))
    clock.set(after(START, 50))

    panel = room_panel(signed_in(registered), session.slug)

    assert "Only people who were in the session&#39;s room can give feedback." in panel
    assert FORM.format(slug=session.slug) not in panel
    assert "Send feedback" not in panel


def test_before_the_end_the_page_decides_at_the_end_without_asking(factory, clock, signed_in):
    session = factory.session(factory.festival(), starts_at=START, minutes=45)
    person = factory.user()
    clock.set(after(START, 30))

    panel = room_panel(signed_in(person), session.slug)

    # Hidden until the end; the script shows the form, or the line, by whether the page was in
    # the room while the session was live.
    assert opening_tag(panel).endswith(" hidden")
    assert FORM.format(slug=session.slug) in panel
    assert '<p class="meta" data-feedback-absent hidden>Only people who were in' in panel
