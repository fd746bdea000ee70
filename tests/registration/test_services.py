"""Registration services against a real database: capacity, waitlist, promotion, notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.extensions import db
from networkfest.mail import outbox
from networkfest.notifications.models import Notice
from networkfest.programme.queries import session_by_slug
from networkfest.programme.services import publish
from networkfest.registration import personal_agenda, services
from networkfest.registration.models import Registration
from tests.factories import FESTIVAL_START
from tests.programme import schedules


def test_first_come_confirmed_then_waitlisted_with_ranks(factory, festival, clock) -> None:
    session = factory.session(festival, capacity=2)
    people = [factory.user() for _ in range(4)]
    results = []
    for person in people:
        results.append(services.register(db.session, session, person, clock.now()))
        clock.advance(timedelta(seconds=1))
    assert [(r.status, r.position, r.created) for r in results] == [
        ("confirmed", None, True),
        ("confirmed", None, True),
        ("waitlisted", 1, True),
        ("waitlisted", 2, True),
    ]
    db.session.refresh(session)
    assert session.confirmed_count == 2
    assert session.places_left == 0


def test_registering_twice_returns_the_current_state(factory, festival, clock) -> None:
    session = factory.session(festival, capacity=1)
    first, second = factory.user(), factory.user()
    services.register(db.session, session, first, clock.now())
    services.register(db.session, session, second, clock.now())
    again = services.register(db.session, session, second, clock.now())
    assert (again.status, again.position, again.created) == ("waitlisted", 1, False)
    assert db.session.scalar(select(Registration.id).where(Registration.user_id == second.id))
    assert len(db.session.scalars(select(Registration)).all()) == 2


def test_unlimited_session_confirms_everyone(factory, festival, clock) -> None:
    session = factory.session(festival, capacity=None)
    for _ in range(5):
        assert services.register(db.session, session, factory.user(), clock.now()).status == (
            "confirmed"
        )


def test_refused_once_ended_and_when_cancelled(factory, festival, clock) -> None:
    session = factory.session(festival, starts_at=FESTIVAL_START, minutes=30)
    cancelled = factory.session(festival, status="cancelled")
    person = factory.user()
    clock.set(FESTIVAL_START + timedelta(minutes=29))
    assert services.register(db.session, session, person, clock.now()).status == "confirmed"
    clock.set(FESTIVAL_START + timedelta(minutes=30))
    with pytest.raises(services.RegistrationRefused) as ended:
        services.register(db.session, session, factory.user(), clock.now())
    assert ended.value.code == "ended"
    with pytest.raises(services.RegistrationRefused) as gone:
        services.register(db.session, cancelled, person, clock.now())
    assert gone.value.code == "cancelled"


def test_cancelling_a_confirmed_place_promotes_the_first_waiting(
    app, factory, festival, clock
) -> None:
    session = factory.session(festival, capacity=1, title="Network bingo")
    holder, waiting_1, waiting_2 = factory.user(), factory.user(), factory.user()
    for person in (holder, waiting_1, waiting_2):
        services.register(db.session, session, person, clock.now())
        clock.advance(timedelta(seconds=1))

    registration = services.find_registration(db.session, session, holder)
    assert services.cancel_registration(db.session, registration, clock.now())

    assert services.registration_state(db.session, session, holder) == {"status": "cancelled"}
    assert services.registration_state(db.session, session, waiting_1) == {"status": "confirmed"}
    assert services.registration_state(db.session, session, waiting_2) == {
        "status": "waitlisted",
        "position": 1,
    }
    db.session.refresh(session)
    assert session.confirmed_count == 1
    mails = outbox(app)
    assert [m.to for m in mails] == [waiting_1.email]
    assert "Network bingo" in mails[0].subject
    notice = db.session.scalar(select(Notice).where(Notice.user_id == waiting_1.id))
    assert notice is not None and notice.kind == "promoted"
    assert "Network bingo" in notice.message


def test_cancelling_is_refused_once_the_session_has_ended(app, factory, festival, clock) -> None:
    """No one is moved from the waitlist into a session that is over, nor mailed about it."""
    session = factory.session(festival, capacity=1)
    holder, waiting = factory.user(), factory.user()
    for person in (holder, waiting):
        services.register(db.session, session, person, clock.now())
        clock.advance(timedelta(seconds=1))
    clock.set(session.ends_at + timedelta(days=4))

    for person in (holder, waiting):
        registration = services.find_registration(db.session, session, person)
        with pytest.raises(services.CancellationRefused) as refused:
            services.cancel_registration(db.session, registration, clock.now())
        assert refused.value.code == "ended"
        assert "can no longer be cancelled" in refused.value.message

    assert services.registration_state(db.session, session, holder) == {"status": "confirmed"}
    assert services.registration_state(db.session, session, waiting) == {
        "status": "waitlisted",
        "position": 1,
    }
    db.session.refresh(session)
    assert session.confirmed_count == 1
    assert outbox(app) == []
    assert db.session.scalar(select(Notice)) is None


def test_a_place_given_up_while_live_still_goes_to_the_next(app, factory, festival, clock) -> None:
    """Until the scheduled end the next person can still join the room: they are promoted."""
    session = factory.session(festival, capacity=1)
    holder, waiting = factory.user(), factory.user()
    for person in (holder, waiting):
        services.register(db.session, session, person, clock.now())
    clock.set(session.ends_at - timedelta(minutes=1))

    registration = services.find_registration(db.session, session, holder)
    assert services.cancel_registration(db.session, registration, clock.now())

    assert services.registration_state(db.session, session, waiting) == {"status": "confirmed"}
    assert [m.to for m in outbox(app)] == [waiting.email]


def test_promotion_reaches_a_connected_page(factory, festival, clock, socket_client) -> None:
    holder_id, waiting_id = factory.user().id, factory.user().id
    sio = socket_client(db.session.get(User, waiting_id))
    sio.get_received("/live")
    session = factory.session(db.session.merge(festival), capacity=1)
    holder, waiting = db.session.get(User, holder_id), db.session.get(User, waiting_id)
    services.register(db.session, session, holder, clock.now())
    services.register(db.session, session, waiting, clock.now() + timedelta(seconds=1))

    services.cancel_registration(
        db.session, services.find_registration(db.session, session, holder), clock.now()
    )

    notices = [m for m in sio.get_received("/live") if m["name"] == "notice"]
    assert [n["args"][0]["kind"] for n in notices] == ["promoted"]
    assert notices[0]["args"][0]["session"] == session.slug


def test_leaving_the_waitlist_closes_up_positions_and_frees_no_seat(
    app, factory, festival, clock
) -> None:
    session = factory.session(festival, capacity=1)
    people = [factory.user() for _ in range(4)]
    for person in people:
        services.register(db.session, session, person, clock.now())
        clock.advance(timedelta(seconds=1))
    registration = services.find_registration(db.session, session, people[1])
    assert services.cancel_registration(db.session, registration, clock.now())
    assert services.registration_state(db.session, session, people[0]) == {"status": "confirmed"}
    assert services.registration_state(db.session, session, people[2])["position"] == 1
    assert services.registration_state(db.session, session, people[3])["position"] == 2
    assert outbox(app) == []
    assert not services.cancel_registration(db.session, registration, clock.now())


def test_re_registering_after_cancelling_queues_again_at_the_back(factory, festival, clock) -> None:
    session = factory.session(festival, capacity=1)
    holder, first_waiting, returning = factory.user(), factory.user(), factory.user()
    services.register(db.session, session, holder, clock.now())
    clock.advance(timedelta(seconds=1))
    services.register(db.session, session, returning, clock.now())
    clock.advance(timedelta(seconds=1))
    services.register(db.session, session, first_waiting, clock.now())
    clock.advance(timedelta(seconds=1))
    services.cancel_registration(
        db.session, services.find_registration(db.session, session, returning), clock.now()
    )
    clock.advance(timedelta(seconds=1))
    result = services.register(db.session, session, returning, clock.now())
    assert (result.status, result.position, result.created) == ("waitlisted", 2, True)
    assert services.registration_state(db.session, session, first_waiting)["position"] == 1


def test_fill_free_seats_after_a_larger_capacity(factory, festival, clock) -> None:
    session = factory.session(festival, capacity=1)
    people = [factory.user() for _ in range(3)]
    for person in people:
        services.register(db.session, session, person, clock.now())
        clock.advance(timedelta(seconds=1))
    session.capacity = 3
    db.session.commit()
    promoted = services.fill_free_seats(db.session, session, clock.now())
    assert [r.user_id for r in promoted] == [people[1].id, people[2].id]
    db.session.refresh(session)
    assert session.confirmed_count == 3


def test_capacity_check_constraint_backs_the_counter(factory, festival) -> None:
    from sqlalchemy.exc import IntegrityError

    session = factory.session(festival, capacity=1)
    # Past the services on purpose: the database's CHECK constraint is what is under test.
    session.confirmed_count = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_my_agenda_by_day_with_clashes(factory, festival, clock) -> None:
    person = factory.user()
    monday_a = factory.session(festival, starts_at=FESTIVAL_START + timedelta(hours=1), minutes=60)
    monday_b = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(hours=1, minutes=30), minutes=30
    )
    tuesday = factory.session(festival, starts_at=FESTIVAL_START + timedelta(days=1), minutes=30)
    full = factory.session(
        festival, starts_at=FESTIVAL_START + timedelta(days=1, hours=2), capacity=1
    )
    dropped = factory.session(festival, starts_at=FESTIVAL_START + timedelta(days=2))
    services.register(db.session, full, factory.user(), clock.now())
    for session in (tuesday, monday_b, monday_a, full, dropped):
        services.register(db.session, session, person, clock.now())
    services.cancel_registration(
        db.session, services.find_registration(db.session, dropped, person), clock.now()
    )

    days = personal_agenda.my_agenda(db.session, person)

    assert [str(d.day) for d in days] == ["2026-09-21", "2026-09-22"]
    monday = days[0].entries
    assert [e.session.slug for e in monday] == [monday_a.slug, monday_b.slug]
    assert [c.slug for c in monday[0].clashes] == [monday_b.slug]
    assert [c.slug for c in monday[1].clashes] == [monday_a.slug]
    assert [(e.session.slug, e.status, e.position, e.clashes) for e in days[1].entries] == [
        (tuesday.slug, "confirmed", None, []),
        (full.slug, "waitlisted", 1, []),
    ]
    assert [s.slug for s in personal_agenda.clashes_for(db.session, monday_b, person)] == [
        monday_a.slug
    ]


def test_positions_decided_before_the_commit_match_the_ranks_read_after(
    factory, festival, clock
) -> None:
    """Everyone registering in the same instant: ties on the queue time are broken by id."""
    session = factory.session(festival, capacity=2)
    people = [factory.user() for _ in range(6)]
    results = [services.register(db.session, session, person, clock.now()) for person in people]
    assert [r.position for r in results] == [None, None, 1, 2, 3, 4]
    for person, result in zip(people, results, strict=True):
        assert services.registration_state(db.session, session, person) == result.as_json()


def test_re_registering_in_the_same_instant_reports_the_rank_it_holds(
    factory, festival, clock
) -> None:
    """A returning row keeps its older id, so on a tied queue time it ranks by that id:
    whatever the rank, the answer equals what a read afterwards says."""
    session = factory.session(festival, capacity=1)
    holder, returning, waiting = factory.user(), factory.user(), factory.user()
    services.register(db.session, session, holder, clock.now())
    services.register(db.session, session, returning, clock.now())
    services.cancel_registration(
        db.session, services.find_registration(db.session, session, returning), clock.now()
    )
    services.register(db.session, session, waiting, clock.now())
    result = services.register(db.session, session, returning, clock.now())
    assert result.status == "waitlisted" and result.created
    assert services.registration_state(db.session, session, returning) == result.as_json()
    positions = sorted(
        services.registration_state(db.session, session, person)["position"]
        for person in (returning, waiting)
    )
    assert positions == [1, 2]


def test_a_queue_time_behind_the_clock_still_queues_at_the_back(factory, festival, clock) -> None:
    """Another process's clock ran ahead: the newcomer queues after it, and says so."""
    session = factory.session(festival, capacity=1)
    holder, ahead, behind = factory.user(), factory.user(), factory.user()
    services.register(db.session, session, holder, clock.now())
    services.register(db.session, session, ahead, clock.now() + timedelta(minutes=1))
    result = services.register(db.session, session, behind, clock.now())
    assert (result.status, result.position) == ("waitlisted", 2)
    assert services.registration_state(db.session, session, behind)["position"] == 2
    assert services.registration_state(db.session, session, ahead)["position"] == 1


def test_a_place_given_up_in_a_cancelled_session_goes_to_no_one_until_it_is_back(
    app, factory
) -> None:
    """No "a place came free" for a session that is off the programme; back on it, the seat
    goes to the first waiting at once."""
    now = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    alpha = schedules.session()
    beta = schedules.session(
        "beta", title="Beta session", starts="2026-09-21T11:00:00", extra="capacity = 1"
    )
    published = publish(db.session, schedules.schedule(alpha, beta), now)
    assert published.ok, published.problems
    session = session_by_slug(db.session, "beta")
    assert session is not None
    holder, waiting = factory.user(), factory.user()
    for person in (holder, waiting):
        services.register(db.session, session, person, now)
    publish(db.session, schedules.schedule(alpha), now)  # beta is cancelled

    def places_mailed() -> list[str]:
        return [m.to for m in outbox(app) if m.subject == "You have a place: Beta session"]

    db.session.expire_all()
    assert services.cancel_registration(
        db.session, services.find_registration(db.session, session, holder), now
    )
    assert services.registration_state(db.session, session, waiting)["status"] == "waitlisted"
    assert places_mailed() == []

    publish(db.session, schedules.schedule(alpha, beta), now)  # beta is back
    db.session.expire_all()
    assert services.registration_state(db.session, session, waiting) == {"status": "confirmed"}
    assert places_mailed() == [waiting.email]
