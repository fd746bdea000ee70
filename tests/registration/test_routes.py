"""Register and cancel forms, the clash warning, the panel and the personal agenda page."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template_string
from flask_login import login_user

from networkfest.extensions import db
from networkfest.mail import outbox
from networkfest.registration import services
from tests.conftest import sign_in_cookie
from tests.factories import FESTIVAL_START


def test_visitors_are_sent_to_sign_in(client, factory, festival) -> None:
    session = factory.session(festival)
    response = client.post(f"/sessions/{session.slug}/register")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/me/agenda").status_code == 302


def test_register_then_cancel_redirect_back_with_a_message(client, login, factory, festival):
    session = factory.session(festival, capacity=1, title="Network bingo")
    person = factory.user()
    login(client, person)

    response = client.post(f"/sessions/{session.slug}/register", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sessions/{session.slug}")
    assert services.registration_state(db.session, session, person) == {"status": "confirmed"}
    with client.session_transaction() as cookie:
        assert "You have a place" in str(cookie["_flashes"])

    response = client.post(f"/sessions/{session.slug}/cancel")
    assert response.status_code == 303
    assert services.registration_state(db.session, session, person) == {"status": "cancelled"}
    response = client.post(f"/sessions/{session.slug}/cancel")
    with client.session_transaction() as cookie:
        assert "nothing to cancel" in str(cookie["_flashes"])


def test_full_session_says_the_waitlist_position(client, login, factory, festival, clock):
    session = factory.session(festival, capacity=1)
    services.register(db.session, session, factory.user(), clock.now())
    login(client, factory.user())
    client.post(f"/sessions/{session.slug}/register")
    with client.session_transaction() as cookie:
        assert "number 1 on the waitlist" in str(cookie["_flashes"])


def test_ended_and_cancelled_sessions_answer_409_with_a_message(
    client, login, factory, festival, clock
):
    ended = factory.session(festival, starts_at=FESTIVAL_START - timedelta(hours=2))
    cancelled = factory.session(festival, status="cancelled")
    login(client, factory.user())
    response = client.post(f"/sessions/{ended.slug}/register")
    assert response.status_code == 409
    assert "registration is closed" in response.get_data(as_text=True)
    response = client.post(f"/sessions/{cancelled.slug}/register")
    assert response.status_code == 409
    assert "has been cancelled" in response.get_data(as_text=True)


def test_cancelling_after_the_session_ended_is_409_with_a_message(
    client, login, factory, festival, clock
):
    session = factory.session(festival, capacity=1)
    holder, waiting = factory.user(), factory.user()
    for person in (holder, waiting):
        services.register(db.session, session, person, clock.now())
    clock.set(session.ends_at + timedelta(days=4))
    login(client, holder)

    response = client.post(f"/sessions/{session.slug}/cancel")

    assert response.status_code == 409
    assert "This session has ended, so its places can no longer be cancelled." in (
        response.get_data(as_text=True)
    )
    assert services.registration_state(db.session, session, holder) == {"status": "confirmed"}
    assert services.registration_state(db.session, session, waiting) == {
        "status": "waitlisted",
        "position": 1,
    }
    assert outbox(client.application) == []


def test_unknown_session_is_404(client, login, factory, festival):
    login(client, factory.user())
    assert client.post("/sessions/no-such-thing/register").status_code == 404
    assert client.post("/sessions/no-such-thing/cancel").status_code == 404


def test_overlap_asks_before_registering(client, login, factory, festival, clock):
    held = factory.session(festival, starts_at=FESTIVAL_START + timedelta(hours=1), title="Held")
    wanted = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(hours=1, minutes=15), title="Wanted"
    )
    person = factory.user()
    services.register(db.session, held, person, clock.now())
    login(client, person)

    page = client.post(f"/sessions/{wanted.slug}/register")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This overlaps your agenda" in html
    assert "Held" in html and "BST" in html
    assert 'name="confirm_clash" value="1"' in html
    assert "Keep my agenda as it is" in html
    assert services.registration_state(db.session, wanted, person) == {"status": "none"}

    response = client.post(f"/sessions/{wanted.slug}/register", data={"confirm_clash": "1"})
    assert response.status_code == 303
    assert services.registration_state(db.session, wanted, person) == {"status": "confirmed"}


def test_panel_for_visitors_and_attendees(app, client, login, factory, festival, clock):
    session = factory.session(festival, capacity=3)
    template = '{% include "registration/_panel.html" %}'
    with app.test_request_context("/"):
        html = render_template_string(template, session=session)
    assert "Sign in" in html and "3 of 3 places left" in html

    person = factory.user()
    services.register(db.session, session, person, clock.now())
    login(client, person)
    with app.test_request_context("/"):
        sign_in_cookie(person)
        login_user(person)
        html = render_template_string(template, session=session)
    assert "Confirmed" in html
    assert f"/sessions/{session.slug}/cancel" in html
    assert 'name="csrf_token"' in html
    assert "2 of 3 places left" in html


def test_agenda_page_by_day_with_status_clash_and_join_link(
    client, login, factory, festival, clock
):
    person = factory.user()
    soon = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(minutes=5), minutes=60, title="Soon <b>"
    )
    overlapping = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(minutes=30), capacity=1, title="Overlap"
    )
    later = factory.session(festival, starts_at=FESTIVAL_START + timedelta(days=1), title="Later")
    services.register(db.session, overlapping, factory.user(), clock.now())
    for session in (soon, overlapping, later):
        services.register(db.session, session, person, clock.now())
    login(client, person)

    html = client.get("/me/agenda").get_data(as_text=True)

    assert "Monday 21 September" in html and "Tuesday 22 September" in html
    assert "Europe/London" in html and "BST" in html
    assert "Soon &lt;b&gt;" in html
    assert "Waitlist position 1" in html
    assert "agenda-item--clash" in html
    assert html.count("Join the room") == 1
    assert f'href="/sessions/{soon.slug}/live"' in html
    assert "<script>" not in html.replace('<script src="', "")
    assert 'style="' not in html


def test_empty_agenda_points_to_the_programme(client, login, factory, festival):
    login(client, factory.user())
    response = client.get("/me/agenda")
    assert response.status_code == 200
    assert "You have no sessions yet" in response.get_data(as_text=True)


def test_session_page_shows_the_panel(client, login, factory, festival, clock):
    session = factory.session(festival, capacity=2)
    html = client.get(f"/sessions/{session.slug}").get_data(as_text=True)
    assert "Your place" in html and "Sign in" in html and "2 of 2 places left" in html
    login(client, factory.user())
    html = client.get(f"/sessions/{session.slug}").get_data(as_text=True)
    assert f'action="/sessions/{session.slug}/register"' in html
    assert ">Register<" in html


def test_panel_of_an_ended_session_offers_no_cancelling(client, login, factory, festival, clock):
    session = factory.session(festival, capacity=1)
    holder, waiting = factory.user(), factory.user()
    for person in (holder, waiting):
        services.register(db.session, session, person, clock.now())
    page = f"/sessions/{session.slug}"

    clock.set(session.ends_at - timedelta(minutes=1))  # live: a place can still be given up
    login(client, holder)
    html = client.get(page).get_data(as_text=True)
    assert "You have a place." in html and "Cancel my place" in html

    clock.set(session.ends_at + timedelta(days=4))
    html = client.get(page).get_data(as_text=True)
    assert "You had a place." in html
    assert "Cancel my place" not in html and f"{page}/cancel" not in html
    other = login(client.application.test_client(), waiting)
    html = other.get(page).get_data(as_text=True)
    assert "You were on the waitlist." in html
    assert "Leave the waitlist" not in html and f"{page}/cancel" not in html


def test_a_host_is_not_offered_a_place_in_their_own_session(client, login, factory, festival):
    """A host is in the room by right: registering would only take a place from an attendee."""
    host = factory.user()
    session = factory.session(festival, capacity=2, hosts=[host])
    login(client, host)
    html = client.get(f"/sessions/{session.slug}").get_data(as_text=True)
    assert "You host this session: you need no place in it." in html
    assert f'action="/sessions/{session.slug}/register"' not in html
    other = factory.session(festival, capacity=2)
    html = client.get(f"/sessions/{other.slug}").get_data(as_text=True)
    assert f'action="/sessions/{other.slug}/register"' in html


def test_the_agenda_lists_the_sessions_i_host_and_their_clashes(
    client, login, factory, festival, clock
):
    host = factory.user()
    hosted = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(minutes=5), title="Mine", hosts=[host]
    )
    overlapping = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(minutes=30), title="Overlap"
    )
    services.register(db.session, overlapping, host, clock.now())
    login(client, host)

    html = client.get("/me/agenda").get_data(as_text=True)
    assert "You have no sessions yet" not in html
    assert "Mine" in html and "You host this" in html
    assert html.count("agenda-item--clash") == 2
    # The API's agenda stays a list of registrations.
    listed = client.get("/api/v1/me/agenda").get_json()["registrations"]
    assert [entry["session"]["slug"] for entry in listed] == [overlapping.slug]
    # Registering beside it asks first, as beside a place.
    clashing = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(minutes=10), title="Third"
    )
    asked = client.post(f"/sessions/{clashing.slug}/register")
    assert "you already hold a place in or host" in asked.get_data(as_text=True)
    assert hosted.title in asked.get_data(as_text=True)
