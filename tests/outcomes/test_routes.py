"""The hosts' form on the live page, and outcomes on the session page, the agenda and the
front page, through Flask's test client with the clock injected."""

from __future__ import annotations

from datetime import timedelta

from networkfest.extensions import db
from networkfest.outcomes import services
from tests.outcomes.helpers import CLOSES, END, LAST_ITEM, LINKS

FORM = {
    "summary": "We named **two** pitfalls.\n\n<script>alert('x')</script>",
    "links-0-title": "Slides <b>bold</b>",
    "links-0-url": "https://example.org/slides.pdf",
    "links-1-title": "",
    "links-1-url": "",
    "links-2-title": "Template",
    "links-2-url": "https://example.org/template",
}


def post(client, cast, data=FORM):
    return client.post(f"/sessions/{cast.session.slug}/outcomes", data=data)


def test_the_host_sees_the_form_in_the_last_item_and_saves(cast, clock, signed_in):
    host = signed_in(cast.host)
    clock.set(LAST_ITEM)
    room = host.get(f"/sessions/{cast.session.slug}/live").get_data(as_text=True)
    assert f'action="/sessions/{cast.session.slug}/outcomes"' in room
    assert 'name="csrf_token"' in room and 'name="links-2-url"' in room

    response = post(host, cast)

    assert response.status_code == 303
    assert response.location.endswith(f"/sessions/{cast.session.slug}/live#outcomes-title")
    outcome = services.outcome_of(db.session, cast.session.id)
    assert outcome.links == [
        {"title": "Slides <b>bold</b>", "url": "https://example.org/slides.pdf"},
        {"title": "Template", "url": "https://example.org/template"},
    ]
    room = host.get(response.location).get_data(as_text=True)
    assert "The outcomes are saved" in room
    # The form comes back filled in, with a spare row after the links.
    assert 'value="https://example.org/template"' in room and 'name="links-4-url"' in room


def test_before_the_last_item_the_panel_says_when_it_opens(cast, clock, signed_in):
    clock.set(LAST_ITEM - timedelta(minutes=5))
    room = signed_in(cast.host).get(f"/sessions/{cast.session.slug}/live").get_data(as_text=True)
    assert "The form opens when the run sheet's last item, “Questions”, starts" in room
    assert "10:35 BST" in room
    assert f'action="/sessions/{cast.session.slug}/outcomes"' not in room


def test_attendees_get_no_panel_and_may_not_post(cast, clock, signed_in):
    clock.set(LAST_ITEM)
    attendee = signed_in(cast.attendee)
    room = attendee.get(f"/sessions/{cast.session.slug}/live").get_data(as_text=True)
    assert 'id="outcomes-title"' not in room
    assert post(attendee, cast).status_code == 403
    assert post(signed_in(cast.other_host), cast).status_code == 403
    assert services.outcome_of(db.session, cast.session.id) is None


def test_bad_input_comes_back_with_every_problem_and_the_text_kept(cast, clock, signed_in):
    clock.set(END)
    data = {
        "summary": "Kept <text>",
        "links-0-title": "",
        "links-0-url": "javascript:alert(1)",
        "links-1-title": "Fine",
        "links-1-url": "example.org",
    }
    response = post(signed_in(cast.host), cast, data)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Link 1: give it a title; its address must start with http:// or https://." in html
    assert "Link 2: its address must start with http:// or https://." in html
    assert "Kept &lt;text&gt;</textarea>" in html
    assert 'value="example.org"' in html
    assert services.outcome_of(db.session, cast.session.id) is None


def test_too_early_or_too_late_is_a_409_that_keeps_the_text(cast, clock, signed_in):
    host = signed_in(cast.host)
    clock.set(LAST_ITEM - timedelta(seconds=1))
    early = post(host, cast)
    clock.set(CLOSES)
    late = post(host, cast)

    assert (early.status_code, late.status_code) == (409, 409)
    assert "last item until 48 hours after the end" in early.get_data(as_text=True)
    assert "that time has passed" in late.get_data(as_text=True)
    assert "We named **two** pitfalls." in late.get_data(as_text=True)
    assert services.outcome_of(db.session, cast.session.id) is None


def test_a_missing_csrf_token_is_refused(cast, clock, signed_in, app):
    app.config["WTF_CSRF_ENABLED"] = True
    clock.set(END)
    response = post(signed_in(cast.host), cast)
    assert response.status_code == 400
    assert services.outcome_of(db.session, cast.session.id) is None


def test_the_session_page_shows_the_outcomes_sanitised(cast, clock, client):
    page = f"/sessions/{cast.session.slug}"
    assert "What came out of it" not in client.get(page).get_data(as_text=True)
    services.save(
        db.session,
        cast.session,
        cast.host,
        "We named **two** pitfalls.\n\n<script>alert('x')</script> [bad](javascript:alert(1))",
        [{"title": "Slides <b>bold</b>", "url": "https://example.org/s?a=1&b=2"}],
        END,
    )

    html = client.get(page).get_data(as_text=True)

    assert "What came out of it" in html
    assert "<strong>two</strong>" in html
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "Slides &lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="https://example.org/s?a=1&amp;b=2"' in html
    assert "Monday 21 September, 10:45 BST" in html


def test_the_agenda_shows_outcomes_for_sessions_that_have_them(cast, factory, clock, signed_in):
    other = factory.session(cast.session.festival, starts_at=END + timedelta(hours=1))
    factory.registration(other, cast.attendee, "confirmed", clock.now())
    services.save(db.session, cast.session, cast.host, "Notes from the room.", LINKS, END)

    html = signed_in(cast.attendee).get("/me/agenda").get_data(as_text=True)

    assert html.count("What came out of it") == 1
    assert "Notes from the room." in html
    assert 'href="https://example.org/slides.pdf"' in html


def test_the_front_page_after_the_festival_lists_the_outcomes(cast, clock, client):
    services.save(db.session, cast.session, cast.host, "Notes from the room.", [], END)
    clock.set(END - timedelta(minutes=1))
    during = client.get("/").get_data(as_text=True)
    assert "Notes from the room." not in during

    clock.set(END + timedelta(days=3))
    html = client.get("/").get_data(as_text=True)

    assert "Outcomes" in html and "Notes from the room." in html
    assert f'href="/sessions/{cast.session.slug}"' in html


def test_an_unverified_host_is_told_to_confirm_first(cast, clock, signed_in):
    clock.set(LAST_ITEM)
    host = signed_in(cast.unverified_host)
    room = host.get(f"/sessions/{cast.session.slug}/live").get_data(as_text=True)
    assert "once they have confirmed their e-mail address" in room
    assert 'name="links-0-url"' not in room
    assert post(host, cast).status_code == 403


def test_a_part_without_a_readable_name_is_ignored_not_a_500(cast, clock, signed_in):
    """Found by the form fuzzer: werkzeug names such a multipart part None."""
    import io

    host = signed_in(cast.host)
    clock.set(LAST_ITEM)
    data = dict(FORM)
    data["a\r\nb"] = "x"
    data["file"] = (io.BytesIO(b"x"), "notes.txt")
    response = post(host, cast, data)
    assert response.status_code == 303
    assert services.outcome_of(db.session, cast.session.id) is not None
