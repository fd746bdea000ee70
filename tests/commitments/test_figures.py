"""The follow-through query on a real database: one count per session and answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from networkfest.accounts.models import User
from networkfest.commitments.figures import follow_through
from networkfest.commitments.models import Commitment
from networkfest.commitments.tally import Tally
from networkfest.extensions import db


def commitment(festival_session, user, answer=None, text="Try a timebox"):
    made = festival_session.ends_at
    row = Commitment(
        session_id=festival_session.id,
        user_id=user.id,
        text=text,
        made_at=made,
        updated_at=made,
        answer=answer,
        answered_at=None if answer is None else made + timedelta(weeks=4),
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_every_answer_is_counted_per_session(factory, festival):
    a, b = factory.session(festival), factory.session(festival)
    for answer in (None, None, "done", "done", "partly", "not_yet"):
        commitment(a, factory.user(), answer)
    commitment(b, factory.user(), "partly")

    figures = follow_through(db.session, [a.id, b.id])

    assert figures == {a.id: Tally(6, 2, 1, 1), b.id: Tally(1, 0, 1, 0)}
    assert figures[a.id].followed_up == 4


def test_only_the_sessions_asked_for_and_none_for_a_session_without(factory, festival):
    a, b, quiet = factory.session(festival), factory.session(festival), factory.session(festival)
    commitment(a, factory.user(), "done")
    commitment(b, factory.user(), "done")

    assert follow_through(db.session, [a.id, quiet.id]) == {a.id: Tally(1, 1, 0, 0)}
    assert follow_through(db.session, []) == {}


def test_a_deleted_persons_answer_still_counts(factory, festival):
    a = factory.session(festival)
    leaving = factory.user()
    commitment(a, leaving, "done", text="Words that go with the account")
    commitment(a, factory.user(), None)

    # The database lets go of the person (ON DELETE SET NULL); the answer stays.
    db.session.execute(delete(User).where(User.id == leaving.id))
    db.session.commit()
    db.session.expire_all()
    kept = db.session.scalars(select(Commitment)).all()

    assert [row.user_id for row in kept if row.answer == "done"] == [None]
    assert follow_through(db.session, [a.id]) == {a.id: Tally(2, 1, 0, 0)}


def test_cancelled_sessions_are_left_out(factory, festival):
    kept = factory.session(festival)
    cancelled = factory.session(festival)
    commitment(kept, factory.user(), "not_yet")
    commitment(cancelled, factory.user(), "done")
    cancelled.status = "cancelled"
    db.session.commit()

    assert follow_through(db.session, [kept.id, cancelled.id]) == {kept.id: Tally(1, 0, 0, 1)}
