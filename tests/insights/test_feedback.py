"""Feedback: only after the end, only from people in the room, once, changeable for 48 hours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from networkfest.extensions import db
from networkfest.insights import services
from networkfest.insights.models import Feedback
from networkfest.mail import outbox
from networkfest.notifications import feedback_requests
from networkfest.notifications.models import Reminder
from tests.factories import FESTIVAL_START
from tests.insights.conftest import after, attend

START = FESTIVAL_START + timedelta(hours=1)


def ended_session(factory, host=None):
    festival = factory.festival()
    return factory.session(festival, starts_at=START, minutes=45, hosts=[host] if host else [])


def feedback_event(sio, slug, worth=4, different="Try pairs", follow_up=True):
    return sio.emit(
        "feedback",
        {"session": slug, "worth": worth, "different": different, "follow_up": follow_up},
        namespace="/live",
        callback=True,
    )


def all_feedback():
    return db.session.scalars(select(Feedback)).all()


def test_socket_feedback_after_the_end_from_an_attendee(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1), after(START, 40))
    clock.set(after(START, 50))

    person_id, slug = person.id, session.slug

    ack = feedback_event(socket_client(person), slug, different="  Try pairs  ")

    assert ack == {"ok": True}
    (row,) = all_feedback()
    assert (row.worth, row.different, row.follow_up, row.user_id) == (
        4,
        "Try pairs",
        True,
        person_id,
    )


def test_socket_feedback_refused_before_the_end(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1))
    clock.set(after(START, 30))
    slug = session.slug

    ack = feedback_event(socket_client(person), slug)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "not_live"
    assert all_feedback() == []


def test_socket_feedback_refused_for_someone_not_in_the_room(factory, clock, socket_client):
    session = ended_session(factory)
    registered_only = factory.user()
    clock.set(after(START, 50))
    slug = session.slug

    ack = feedback_event(socket_client(registered_only), slug)

    assert ack["error"]["code"] == "forbidden"
    assert "in the session's room" in ack["error"]["message"]


def test_socket_feedback_needs_a_signed_in_person(factory, clock, socket_client):
    session = ended_session(factory)
    clock.set(after(START, 50))
    slug = session.slug

    ack = feedback_event(socket_client(None), slug)

    assert ack["error"]["code"] == "unauthenticated"


def test_socket_feedback_validates_the_answer(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1))
    clock.set(after(START, 50))
    slug = session.slug
    sio = socket_client(person)

    assert feedback_event(sio, slug, worth=6)["error"]["code"] == "invalid"
    assert feedback_event(sio, slug, worth=True)["error"]["code"] == "invalid"
    assert feedback_event(sio, slug, worth="5")["error"]["code"] == "invalid"
    assert feedback_event(sio, slug, follow_up="yes")["error"]["code"] == "invalid"
    assert feedback_event(sio, slug, different="x" * 501)["error"]["code"] == "too_long"
    assert feedback_event(sio, "no-such-session")["error"]["code"] == "not_found"
    assert sio.emit("feedback", "nonsense", namespace="/live", callback=True)["ok"] is False
    assert all_feedback() == []


def test_second_answer_replaces_the_first_within_48_hours(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1))
    clock.set(after(START, 50))
    slug, ends_at = session.slug, session.ends_at
    sio = socket_client(person)
    assert feedback_event(sio, slug, worth=2, follow_up=False)["ok"]

    clock.set(ends_at + timedelta(hours=47, minutes=59))
    assert feedback_event(sio, slug, worth=5, different="")["ok"]

    (row,) = all_feedback()
    assert (row.worth, row.different, row.follow_up) == (5, "", True)
    assert row.updated_at == ends_at + timedelta(hours=47, minutes=59)


def test_feedback_refused_after_48_hours(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1))
    clock.set(after(START, 50))
    slug, ends_at = session.slug, session.ends_at
    sio = socket_client(person)
    assert feedback_event(sio, slug, worth=2)["ok"]

    clock.set(ends_at + timedelta(hours=48, seconds=1))
    ack = feedback_event(sio, slug, worth=5)

    assert ack["error"]["code"] == "forbidden"
    assert "48 hours" in ack["error"]["message"]
    assert [row.worth for row in all_feedback()] == [2]


def test_http_form_saves_and_replaces(factory, clock, signed_in):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 2))
    clock.set(after(START, 46))
    client = signed_in(person)

    page = client.get(f"/sessions/{session.slug}/feedback")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Was this session worth your time?" in html
    assert 'type="radio" name="worth" value="5"' in html

    response = client.post(
        f"/sessions/{session.slug}/feedback",
        data={"worth": "3", "different": "Start on time", "follow_up": "no"},
    )
    assert response.status_code == 303
    response = client.post(
        f"/sessions/{session.slug}/feedback",
        data={"worth": "4", "different": "Start on time", "follow_up": "yes"},
    )
    assert response.status_code == 303
    (row,) = all_feedback()
    assert (row.worth, row.follow_up) == (4, True)
    again = client.get(f"/sessions/{session.slug}/feedback").get_data(as_text=True)
    assert 'value="4" aria-describedby="worth-hint" required checked' in again
    assert "Change your feedback" in again


def test_http_form_rejects_bad_input_with_a_clear_message(factory, clock, signed_in):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 2))
    clock.set(after(START, 46))
    client = signed_in(person)

    response = client.post(
        f"/sessions/{session.slug}/feedback",
        data={"worth": "9", "different": "x" * 501},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please keep this to 500 characters." in html
    assert "Please say whether you would join a follow-up." in html
    assert all_feedback() == []


def test_http_form_refusals(factory, clock, signed_in, client):
    session = ended_session(factory)
    attendee, stranger = factory.user(), factory.user()
    attend(session, attendee, after(START, 2))

    clock.set(after(START, 10))
    assert signed_in(attendee).get(f"/sessions/{session.slug}/feedback").status_code == 409
    clock.set(after(START, 46))
    refused = signed_in(stranger).post(
        f"/sessions/{session.slug}/feedback", data={"worth": "5", "follow_up": "yes"}
    )
    assert refused.status_code == 403
    assert "in the session&#39;s room" in refused.get_data(as_text=True)
    clock.set(session.ends_at + timedelta(hours=49))
    assert signed_in(attendee).get(f"/sessions/{session.slug}/feedback").status_code == 403
    assert signed_in(attendee).get("/sessions/nope/feedback").status_code == 404
    assert client.get(f"/sessions/{session.slug}/feedback").status_code in (302, 401)
    assert all_feedback() == []


def test_results_are_anonymous_and_for_hosts_and_organisers_only(factory, clock, signed_in):
    host, organiser, other = factory.user(), factory.organiser(), factory.user()
    session = ended_session(factory, host=host)
    people = [factory.user(name=f"Attendee Zed{i}") for i in range(3)]
    clock.set(after(START, 50))
    for person, (worth, text) in zip(
        people, [(5, "Write a run sheet"), (3, ""), (4, "ask for purpose")], strict=True
    ):
        attend(session, person, after(START, 1))
        services.submit_feedback(
            db.session,
            session,
            person.id,
            services.FeedbackAnswer(worth=worth, different=text, follow_up=worth > 3),
            clock.now(),
        )

    page = signed_in(host).get(f"/sessions/{session.slug}/feedback/results")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "4.00" in html
    assert "2 yes, 1 no" in html
    assert html.index("ask for purpose") < html.index("Write a run sheet")
    assert "Zed" not in html
    assert signed_in(organiser).get(f"/sessions/{session.slug}/feedback/results").status_code == 200
    assert signed_in(other).get(f"/sessions/{session.slug}/feedback/results").status_code == 403


def test_no_transaction_is_open_while_feedback_requests_are_mailed(
    factory, clock, app, monkeypatch
):
    session = ended_session(factory)
    for sid in ("a", "b"):
        attend(session, factory.user(), after(START, 1), sid=sid)
    clock.set(after(START, 45))
    open_while_sending: list[bool] = []
    sent_mail = feedback_requests.send_mail

    def watched(*args: Any) -> None:
        open_while_sending.append(db.session().in_transaction())
        sent_mail(*args)

    monkeypatch.setattr(feedback_requests, "send_mail", watched)
    assert feedback_requests.send_feedback_requests(db.session, session, clock.now()) == 2
    assert open_while_sending == [False, False]


def test_feedback_requests_are_mailed_once_to_attendees(factory, clock, app):
    session = ended_session(factory)
    attendee, absent = factory.user(), factory.user()
    attend(session, attendee, after(START, 1), sid="a")
    attend(session, attendee, after(START, 5), sid="b")
    attend(session, None, after(START, 5), sid="anonymous")
    clock.set(after(START, 30))
    assert feedback_requests.send_feedback_requests(db.session, session, clock.now()) == 0

    clock.set(after(START, 45))
    assert feedback_requests.send_feedback_requests(db.session, session, clock.now()) == 1
    assert feedback_requests.send_feedback_requests(db.session, session, clock.now()) == 0

    (mail,) = outbox(app)
    assert mail.to == attendee.email
    assert f"http://localhost/sessions/{session.slug}/feedback" in mail.body
    assert absent.email not in [m.to for m in outbox(app)]
    claims = db.session.scalars(select(Reminder).where(Reminder.kind == "feedback")).all()
    assert [(c.session_id, c.user_id) for c in claims] == [(session.id, attendee.id)]


def test_time_in_the_lobby_alone_is_not_attending(factory, clock, signed_in):
    session = ended_session(factory)
    lobby_only = factory.user()
    attend(session, lobby_only, START - timedelta(minutes=8), START - timedelta(minutes=1))
    clock.set(after(START, 50))

    response = signed_in(lobby_only).post(
        f"/sessions/{session.slug}/feedback", data={"worth": "5", "follow_up": "yes"}
    )

    assert response.status_code == 403
    assert feedback_requests.send_feedback_requests(db.session, session, clock.now()) == 0
    assert all_feedback() == []
