"""Commitments' services with the injected clock: weeks pass without anyone waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.commitments import links, services
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import Answer, CommitmentRefused
from networkfest.extensions import db
from networkfest.privacy.services import delete_account, export_user_data
from networkfest.programme.models import Festival, FestivalSession
from tests.commitments.helpers import AFTER, ENDS, commit_to, ended_session


def commitments():
    return db.session.scalars(select(Commitment).order_by(Commitment.id)).all()


def refused(call, *args):
    with pytest.raises(CommitmentRefused) as caught:
        call(*args)
    db.session.rollback()
    return caught.value.code


def test_feedback_words_create_then_replace_the_commitment(factory):
    ended = ended_session(factory)
    commit_to(ended.session_id, ended.owner_id, "Timebox every item", AFTER)
    commit_to(ended.session_id, ended.owner_id, "Timebox and share", AFTER + timedelta(hours=1))

    (row,) = commitments()
    assert (row.text, row.made_at, row.updated_at, row.answer) == (
        "Timebox and share",
        AFTER,
        AFTER + timedelta(hours=1),
        None,
    )


def test_no_words_remove_an_unanswered_commitment_but_keep_an_answered_one(factory):
    ended = ended_session(factory)
    commit_to(ended.session_id, ended.owner_id, "Timebox every item")
    removed = services.record_commitment(db.session, ended.session_id, ended.owner_id, "", AFTER)
    db.session.commit()
    assert removed is None and commitments() == []

    answered = commit_to(ended.session_id, ended.other_id, "Ask first")
    services.answer_commitment(db.session, answered, ended.other_id, Answer.DONE, "", AFTER)
    kept = services.record_commitment(db.session, ended.session_id, ended.other_id, "", AFTER)
    db.session.commit()
    assert kept is not None and (kept.text, kept.answer) == ("Ask first", "done")


def test_my_commitments_in_session_order_with_their_due_dates(factory):
    ended = ended_session(factory)
    festival = db.session.get(Festival, ended.festival_id)
    later = factory.session(festival, starts_at=ENDS + timedelta(days=1), title="Later")
    commit_to(later.id, ended.owner_id, "Second")
    commit_to(ended.session_id, ended.owner_id, "First")
    commit_to(ended.session_id, ended.other_id, "Not mine")

    mine = services.my_commitments(db.session, ended.owner_id)

    assert [m.commitment.text for m in mine] == ["First", "Second"]
    assert mine[0].follow_up_due == ENDS + timedelta(weeks=4)
    assert mine[0].timezone == "Europe/London"


def test_no_due_date_when_the_festival_sends_none_or_the_session_was_cancelled(factory):
    ended = ended_session(factory, follow_up_weeks=0)
    commit_to(ended.session_id, ended.owner_id, "First")
    assert services.my_commitments(db.session, ended.owner_id)[0].follow_up_due is None

    festival = db.session.get(Festival, ended.festival_id)
    festival.follow_up_weeks = 2
    db.session.get(FestivalSession, ended.session_id).status = "cancelled"
    db.session.commit()
    assert services.my_commitments(db.session, ended.owner_id)[0].follow_up_due is None


def test_the_owner_edits_the_words_and_changes_the_answer(factory, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First")
    clock.set(ENDS + timedelta(weeks=5))

    services.edit_text(db.session, cid, ended.owner_id, "Better words", clock.now())
    services.answer_commitment(db.session, cid, ended.owner_id, Answer.PARTLY, "Half", clock.now())
    clock.advance(timedelta(days=3))
    services.answer_commitment(db.session, cid, ended.owner_id, Answer.DONE, "", clock.now())

    (row,) = commitments()
    assert (row.text, row.answer, row.note, row.answered_at) == (
        "Better words",
        "done",
        "",
        ENDS + timedelta(weeks=5, days=3),
    )


def test_someone_elses_commitment_is_not_found(factory):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First")

    assert refused(services.my_commitment, db.session, cid, ended.other_id) == "not_found"
    assert refused(services.edit_text, db.session, cid, ended.other_id, "Mine", AFTER) == (
        "not_found"
    )
    assert (
        refused(services.answer_commitment, db.session, cid, ended.other_id, Answer.DONE, "", AFTER)
        == "not_found"
    )
    assert refused(services.my_commitment, db.session, cid + 100, ended.owner_id) == "not_found"
    (row,) = commitments()
    assert (row.text, row.answer) == ("First", None)


def test_a_link_answers_once(factory, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First")
    sent = ENDS + timedelta(weeks=4)
    clock.set(sent + timedelta(days=1))
    link = links.read(links.sign(cid, ended.owner_id, Answer.DONE, sent))
    assert link is not None

    first = services.answer_through_link(db.session, link, None, Answer.DONE, "Yes", clock.now())
    assert (first.answer, first.note) == ("done", "Yes")
    assert (
        refused(
            services.answer_through_link, db.session, link, None, Answer.PARTLY, "", clock.now()
        )
        == "used"
    )
    (row,) = commitments()
    assert (row.answer, row.note) == ("done", "Yes")


def test_a_link_refused_when_expired_or_opened_by_someone_else(factory, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "First")
    sent = ENDS + timedelta(weeks=4)
    link = links.read(links.sign(cid, ended.owner_id, Answer.DONE, sent))
    assert link is not None

    late = sent + timedelta(days=60, seconds=1)
    target = services.link_target(db.session, link, None, late)
    assert target.refusal is not None and target.refusal.code == "expired"
    other = services.link_target(db.session, link, ended.other_id, sent)
    assert other.refusal is not None and other.refusal.code == "forbidden"
    assert (
        refused(
            services.answer_through_link, db.session, link, ended.other_id, Answer.DONE, "", sent
        )
        == "forbidden"
    )
    assert commitments()[0].answer is None


def test_the_switch_for_follow_up_mails(factory):
    ended = ended_session(factory)
    assert services.follow_up_mails_on(db.session, ended.owner_id) is True
    services.set_follow_up_mails(db.session, ended.owner_id, False)
    assert services.follow_up_mails_on(db.session, ended.owner_id) is False
    assert services.follow_up_mails_on(db.session, ended.other_id) is True


def test_export_and_erase_keep_the_answer_for_the_figures(factory, clock):
    ended = ended_session(factory)
    cid = commit_to(ended.session_id, ended.owner_id, "Timebox")
    services.answer_commitment(db.session, cid, ended.owner_id, Answer.NOT_YET, "Busy", AFTER)
    owner = db.session.get(User, ended.owner_id)

    exported = export_user_data(db.session, owner)
    assert exported["commitments"][0]["session"] == ended.slug
    assert (exported["commitments"][0]["text"], exported["commitments"][0]["note"]) == (
        "Timebox",
        "Busy",
    )
    assert exported["follow_up_mails"] is True

    delete_account(db.session, owner, clock.now())
    (row,) = commitments()
    assert (row.user_id, row.text, row.note, row.answer) == (None, "", "", "not_yet")
