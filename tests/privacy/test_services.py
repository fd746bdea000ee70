"""A person's data: everything in the download, and an erasure that hands their place on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from networkfest.accounts import services
from networkfest.accounts.models import ApiToken, User
from networkfest.extensions import db
from networkfest.insights.models import Feedback
from networkfest.mail import outbox
from networkfest.notifications.models import Reminder
from networkfest.privacy import services as privacy
from networkfest.programme.models import FestivalSession, ScheduleVersion
from networkfest.programme.services import publish
from networkfest.qa.models import Question, Vote
from networkfest.registration.models import Registration
from networkfest.registration.services import register, registration_state
from tests.factories import FESTIVAL_START as NOW
from tests.programme.schedules import schedule, session

GOOD = "a long enough password"


@pytest.fixture
def busy_attendee(app, factory, clock):
    """An attendee with a confirmed place someone waits for, a question, a vote and feedback."""
    festival = factory.festival()
    session = factory.session(festival, capacity=1)
    leaver, waiting, asker = factory.user(), factory.user(), factory.user()
    now = clock.now()
    assert register(db.session, session, leaver, now).status == "confirmed"
    assert register(db.session, session, waiting, now + timedelta(seconds=1)).status == "waitlisted"
    own = Question(
        session_id=session.id,
        author_id=leaver.id,
        text="Mine?",
        status="visible",
        votes=0,
        created_at=now,
        updated_at=now,
    )
    theirs = Question(
        session_id=session.id,
        author_id=asker.id,
        text="Theirs?",
        status="visible",
        votes=1,
        created_at=now,
        updated_at=now,
    )
    db.session.add_all([own, theirs])
    db.session.flush()
    db.session.add(Vote(question_id=theirs.id, user_id=leaver.id, created_at=now))
    db.session.add(
        Feedback(
            session_id=session.id,
            user_id=leaver.id,
            worth=4,
            different="More",
            follow_up=True,
            created_at=now,
            updated_at=now,
        )
    )
    services.create_api_token(db.session, leaver, "script", now)
    return {"session": session, "leaver": leaver, "waiting": waiting, "own": own, "theirs": theirs}


def test_export_user_data_holds_everything_about_the_person(busy_attendee) -> None:
    leaver = busy_attendee["leaver"]
    data = privacy.export_user_data(db.session, leaver)
    slug = busy_attendee["session"].slug
    assert data["account"]["email"] == leaver.email
    registration = data["registrations"][0]
    assert (registration["session"], registration["status"]) == (slug, "confirmed")
    assert [q["text"] for q in data["questions"]] == ["Mine?"]
    assert data["votes"] == [
        {"question": busy_attendee["theirs"].id, "created_at": data["votes"][0]["created_at"]}
    ]
    assert data["feedback"][0]["worth"] == 4
    assert data["api_tokens"][0]["name"] == "script"
    assert "token_hash" not in str(data) and "password" not in str(data)


def test_delete_account_anonymises_and_hands_the_place_on(busy_attendee, clock) -> None:
    leaver, waiting = busy_attendee["leaver"], busy_attendee["waiting"]
    leaver_id = leaver.id
    privacy.delete_account(db.session, leaver, clock.now())
    db.session.expire_all()
    assert db.session.get(User, leaver_id) is None
    assert db.session.scalar(select(ApiToken)) is None
    statuses = {r.user_id: r.status for r in db.session.scalars(select(Registration))}
    assert statuses == {waiting.id: "confirmed"}
    own = db.session.get(Question, busy_attendee["own"].id)
    assert own.author_id is None and own.anonymous and own.text == "Mine?"
    theirs = db.session.get(Question, busy_attendee["theirs"].id)
    assert theirs.votes == 0
    assert db.session.scalar(select(Vote)) is None
    feedback = db.session.scalar(select(Feedback))
    assert feedback.user_id is None and feedback.worth == 4


def test_deletion_promotes_no_one_into_a_session_that_has_ended(app, factory, clock) -> None:
    """The leaver's places go, past ones too, but only a session still to come hands its
    seat on: nobody is confirmed in, or mailed about, one that is over."""
    festival = factory.festival()
    past = factory.session(festival, capacity=1, title="Past circle")
    future = factory.session(festival, capacity=1, starts_at=NOW + timedelta(days=3))
    leaver, waiting_past, waiting_future = factory.user(), factory.user(), factory.user()
    for place, waiting in ((past, waiting_past), (future, waiting_future)):
        assert register(db.session, place, leaver, clock.now()).status == "confirmed"
        assert register(db.session, place, waiting, clock.now()).status == "waitlisted"
    past_id, leaver_id = past.id, leaver.id
    clock.set(past.ends_at + timedelta(days=1))

    privacy.delete_account(db.session, leaver, clock.now())
    db.session.expire_all()

    assert registration_state(db.session, past, waiting_past) == {
        "status": "waitlisted",
        "position": 1,
    }
    assert registration_state(db.session, future, waiting_future) == {"status": "confirmed"}
    assert db.session.scalar(select(Registration).where(Registration.user_id == leaver_id)) is None
    assert db.session.get(FestivalSession, past_id).confirmed_count == 0  # the rows, counted
    mails = outbox(app)
    assert [m.to for m in mails] == [waiting_future.email]
    assert "Past circle" not in mails[0].subject


def test_my_data_holds_reminders_and_the_audit_entries_about_me(app, factory, clock) -> None:
    boss, person = factory.organiser(), factory.user()
    services.set_organiser(db.session, boss, person, True, clock.now())
    festival = factory.festival()
    session = factory.session(festival)
    db.session.add(Reminder(session_id=session.id, user_id=person.id, kind="before", sent_at=NOW))
    db.session.commit()
    data = privacy.export_user_data(db.session, person)
    assert data["reminders_and_requests"] == [
        {"session": session.slug, "kind": "before", "sent_at": NOW.isoformat()}
    ]
    [entry] = data["audit_log"]
    assert entry["action"] == "user.role" and entry["about_you"] and not entry["by_you"]


def test_deletion_scrubs_the_address_from_published_schedule_files(app, factory, clock) -> None:
    host = factory.user(email="host@example.org")
    publish(db.session, schedule(session()), clock.now())
    privacy.delete_account(db.session, host, clock.now())
    [version] = db.session.scalars(select(ScheduleVersion)).all()
    assert "host@example.org" not in version.source
    assert "deleted-person@invalid" in version.source
