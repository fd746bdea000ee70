"""The shared test pieces themselves: registrations keep the seat counter, sign-in works."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from networkfest.extensions import db
from networkfest.registration import services
from networkfest.registration.models import Registration
from tests.factories import FESTIVAL_START


def confirmed_rows(festival_session: Any) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.session_id == festival_session.id, Registration.status == "confirmed")
    )


def test_confirmed_registrations_take_a_seat_and_the_others_do_not(factory, festival) -> None:
    session = factory.session(festival, capacity=2)
    people = [factory.user() for _ in range(4)]
    statuses = ("confirmed", "waitlisted", "cancelled", "confirmed")
    for person, status in zip(people, statuses, strict=True):
        factory.registration(session, person, status, FESTIVAL_START)
    assert session.confirmed_count == confirmed_rows(session) == 2
    assert session.places_left == 0
    assert services.registration_state(db.session, session, people[1]) == {
        "status": "waitlisted",
        "position": 1,
    }


def test_a_confirmed_registration_in_a_full_session_is_refused(factory, festival) -> None:
    session = factory.session(festival, capacity=1)
    factory.registration(session, factory.user(), "confirmed", FESTIVAL_START)
    late = factory.user()
    with pytest.raises(ValueError, match="full"):
        factory.registration(session, late, "confirmed", FESTIVAL_START)
    db.session.rollback()
    assert session.confirmed_count == confirmed_rows(session) == 1
    assert services.find_registration(db.session, session, late) is None


def test_a_registration_of_an_unknown_status_is_refused(factory, festival) -> None:
    with pytest.raises(ValueError, match="status"):
        factory.registration(factory.session(festival), factory.user(), "maybe", FESTIVAL_START)


def test_signed_in_clients_need_no_login_form(client, signed_in, factory) -> None:
    user = factory.user()
    assert client.get("/me/agenda").status_code == 302
    assert signed_in(user).get("/me/agenda").status_code == 200
