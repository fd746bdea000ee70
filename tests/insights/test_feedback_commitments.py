"""Feedback's new fields: "what will you do differently?" becomes a commitment, and the
choice to stay in touch is recorded, in the same unit of work, from the socket and the form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import Answer
from networkfest.commitments.services import answer_commitment
from networkfest.extensions import db
from networkfest.insights import services
from networkfest.insights.models import Feedback
from networkfest.insights.rules import FeedbackAnswer, FeedbackRefused, clean_feedback
from networkfest.peers.models import PeerConsent
from tests.factories import FESTIVAL_START
from tests.insights.conftest import after, attend

START = FESTIVAL_START + timedelta(hours=1)


def ended_session(factory):
    return factory.session(factory.festival(), starts_at=START, minutes=45)


def feedback_event(sio, slug, **fields):
    payload = {"session": slug, "worth": 4, "different": "Try pairs", "follow_up": True}
    payload.update(fields)
    return sio.emit("feedback", payload, namespace="/live", callback=True)


def commitments():
    db.session.rollback()
    return db.session.scalars(select(Commitment)).all()


def consents():
    db.session.rollback()
    return db.session.scalars(select(PeerConsent)).all()


def in_the_ended_room(factory: Any, clock: Any) -> tuple[Any, Any]:
    """A session that has ended and a person who was in its room, the clock just after."""
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1))
    clock.set(after(START, 50))
    return session, person


def test_stay_in_touch_is_optional_and_defaults_to_no():
    assert clean_feedback(4, "", True).stay_in_touch is False
    assert clean_feedback(4, "", True, None).stay_in_touch is False
    assert clean_feedback(4, "", True, True).stay_in_touch is True
    assert clean_feedback(4, "", True, False).stay_in_touch is False


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", [True], {"a": True}])
def test_stay_in_touch_must_be_a_yes_or_no(value):
    with pytest.raises(FeedbackRefused) as caught:
        clean_feedback(4, "", True, value)
    assert caught.value.code == "invalid"


def test_the_words_are_sanitised_like_the_commitment():
    assert clean_feedback(4, " Pairs\x07 first ", True).different == "Pairs first"


def test_socket_feedback_makes_the_commitment_and_records_the_choice(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1), after(START, 40))
    clock.set(after(START, 50))
    person_id, session_id, slug = person.id, session.id, session.slug

    ack = feedback_event(socket_client(person), slug, different=" Try pairs ", stay_in_touch=True)

    assert ack == {"ok": True}
    (commitment,) = commitments()
    assert (commitment.user_id, commitment.session_id, commitment.text) == (
        person_id,
        session_id,
        "Try pairs",
    )
    assert commitment.made_at == after(START, 50)
    assert [(c.session_id, c.user_id) for c in consents()] == [(session_id, person_id)]


def test_socket_feedback_without_stay_in_touch_means_no(factory, clock, socket_client):
    session, person = in_the_ended_room(factory, clock)
    sio = socket_client(person)

    assert feedback_event(sio, session.slug, stay_in_touch=True)["ok"]
    assert len(consents()) == 1
    assert feedback_event(sio, session.slug)["ok"]
    assert consents() == []


def test_socket_refuses_a_stay_in_touch_that_is_not_a_yes_or_no(factory, clock, socket_client):
    session, person = in_the_ended_room(factory, clock)

    ack = feedback_event(socket_client(person), session.slug, stay_in_touch="yes")

    assert ack["error"]["code"] == "invalid"
    assert commitments() == [] and consents() == []
    assert db.session.scalars(select(Feedback)).all() == []


def test_a_replaced_answer_updates_or_removes_the_commitment(factory, clock, socket_client):
    session, person = in_the_ended_room(factory, clock)
    sio = socket_client(person)

    assert feedback_event(sio, session.slug, different="Try pairs")["ok"]
    clock.advance(timedelta(hours=1))
    assert feedback_event(sio, session.slug, different="Try trios")["ok"]
    (commitment,) = commitments()
    assert (commitment.text, commitment.made_at, commitment.updated_at) == (
        "Try trios",
        after(START, 50),
        after(START, 110),
    )

    assert feedback_event(sio, session.slug, different="")["ok"]
    assert commitments() == []


def test_an_answered_commitment_stays_when_the_words_are_removed(factory, clock, socket_client):
    session, person = in_the_ended_room(factory, clock)
    sio = socket_client(person)
    assert feedback_event(sio, session.slug, different="Try pairs")["ok"]
    (commitment,) = commitments()
    answer_commitment(db.session, commitment.id, person.id, Answer.DONE, "", clock.now())

    assert feedback_event(sio, session.slug, different="")["ok"]

    (kept,) = commitments()
    assert (kept.text, kept.answer) == ("Try pairs", "done")


def test_refused_feedback_records_no_commitment(factory, clock, socket_client):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 1))
    clock.set(after(START, 30))

    ack = feedback_event(socket_client(person), session.slug, stay_in_touch=True)

    assert ack["error"]["code"] == "not_live"
    assert commitments() == [] and consents() == []


def test_the_service_keeps_feedback_commitment_and_choice_together(factory, clock):
    session, person = in_the_ended_room(factory, clock)

    services.submit_feedback(
        db.session,
        session,
        person.id,
        FeedbackAnswer(worth=5, different="Timebox", follow_up=False, stay_in_touch=True),
        clock.now(),
    )

    assert [c.text for c in commitments()] == ["Timebox"]
    assert len(consents()) == 1


def test_the_form_explains_the_commitment_and_offers_to_stay_in_touch(factory, clock, signed_in):
    session = ended_session(factory)
    person = factory.user()
    attend(session, person, after(START, 2))
    clock.set(after(START, 46))
    client = signed_in(person)

    html = client.get(f"/sessions/{session.slug}/feedback").get_data(as_text=True)
    assert "It becomes your" in html and "/me/commitments" in html
    assert "4 weeks after" in html
    assert (
        "Let others from this session who also choose this see my name, organisation and e-mail"
        in html
    )

    response = client.post(
        f"/sessions/{session.slug}/feedback",
        data={"worth": "4", "different": "Start on time", "follow_up": "no", "stay_in_touch": "y"},
    )
    assert response.status_code == 303
    assert [c.text for c in commitments()] == ["Start on time"]
    assert len(consents()) == 1
    again = client.get(f"/sessions/{session.slug}/feedback").get_data(as_text=True)
    assert 'name="stay_in_touch" value="y" aria-describedby="stay-in-touch-hint" checked' in again

    client.post(
        f"/sessions/{session.slug}/feedback",
        data={"worth": "4", "different": "", "follow_up": "no"},
    )
    assert commitments() == [] and consents() == []
