"""Q&A services against the database, without sockets: asking, voting, moderation and what
each viewer's snapshot shows. The socket events on top of them: tests/qa/test_sockets.py."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from networkfest.audit.models import AuditEntry
from networkfest.extensions import db
from networkfest.qa import services
from networkfest.qa.models import Question, Vote
from networkfest.qa.rules import QaError
from tests.factories import DURING
from tests.live.helpers import AFTER, LOBBY, REGISTERED


@dataclass
class Qa:
    """A moderated session, and everyone who might ask about it (ORM objects)."""

    session: Any
    host: Any
    attendee: Any
    other: Any
    waitlisted: Any
    stranger: Any
    organiser: Any
    outsider_host: Any


@pytest.fixture
def qa(factory: Any) -> Qa:
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    outsider_host = factory.user(name="Ines Elsewhere")
    people = Qa(
        session=factory.session(festival, hosts=[host], qa_mode="moderated"),
        host=host,
        attendee=factory.user(name="Ada Attendee"),
        other=factory.user(name="Otto Other"),
        waitlisted=factory.user(name="Wanda Waiting"),
        stranger=factory.user(name="Sam Stranger"),
        organiser=factory.organiser(name="Orla Organiser"),
        outsider_host=outsider_host,
    )
    factory.session(festival, hosts=[outsider_host], slug="elsewhere")
    factory.registration(people.session, people.attendee, "confirmed", REGISTERED)
    factory.registration(people.session, people.other, "confirmed", REGISTERED)
    factory.registration(people.session, people.waitlisted, "waitlisted", REGISTERED)
    return people


def refusal(call: Any, *args: Any) -> str:
    with pytest.raises(QaError) as refused:
        call(db.session, *args)
    return refused.value.code


def question_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question)) or 0


def asked(qa: Qa, user: Any, text: str, *, anonymous: bool = False, **kwargs: Any) -> int:
    at = kwargs.get("at", DURING)
    return services.ask(db.session, qa.session, user, text, anonymous, at).id


def approved(qa: Qa, user: Any, text: str, **kwargs: Any) -> int:
    question_id = asked(qa, user, text, **kwargs)
    services.moderate(db.session, question_id, qa.host, "approve", DURING)
    return question_id


# --- asking ----------------------------------------------------------------------------------


def test_a_question_in_a_moderated_session_waits_for_the_hosts(qa: Qa) -> None:
    view = services.ask(db.session, qa.session, qa.attendee, "  How do we start?  ", False, DURING)
    assert (view.status, view.revision, view.author_id) == ("pending", 0, qa.attendee.id)
    assert view.full["text"] == "How do we start?" and view.full["author"] == "Ada Attendee"
    assert view.full["votes"] == 0 and view.full["pinned"] is False
    assert view.full["session"] == qa.session.slug
    assert (view.redacted["text"], view.redacted["author"]) == (None, None)
    assert view.redacted["status"] == "hidden"
    stored = db.session.get(Question, view.id)
    assert stored is not None
    assert (stored.text, stored.status, stored.created_at) == (
        "How do we start?",
        "pending",
        DURING,
    )


def test_a_question_in_an_open_session_is_visible_at_once_and_may_be_anonymous(qa: Qa) -> None:
    qa.session.qa_mode = "open"
    db.session.commit()
    view = services.ask(db.session, qa.session, qa.attendee, "Who pays?", True, DURING)
    assert view.status == "visible" and view.full["author"] is None
    assert db.session.get(Question, view.id).author_id == qa.attendee.id


def test_hosts_and_organisers_ask_without_a_place(qa: Qa) -> None:
    for user in (qa.host, qa.organiser):
        assert services.ask(db.session, qa.session, user, "Ready?", False, DURING).id
    assert question_count() == 2


def test_only_people_with_a_confirmed_place_may_ask(qa: Qa) -> None:
    assert refusal(services.ask, qa.session, None, "Hi?", False, DURING) == "unauthenticated"
    for user in (qa.waitlisted, qa.stranger, qa.outsider_host):
        assert refusal(services.ask, qa.session, user, "Hi?", False, DURING) == "forbidden"
    assert question_count() == 0


def test_asking_only_while_live_and_not_when_questions_are_off(qa: Qa) -> None:
    for instant in (LOBBY, AFTER):
        assert refusal(services.ask, qa.session, qa.attendee, "Hi?", False, instant) == "not_live"
    qa.session.status = "cancelled"
    db.session.commit()
    assert refusal(services.ask, qa.session, qa.attendee, "Hi?", False, DURING) == "not_live"
    qa.session.status, qa.session.qa_mode = "scheduled", "off"
    db.session.commit()
    assert refusal(services.ask, qa.session, qa.attendee, "Hi?", False, DURING) == "qa_off"
    assert question_count() == 0


def test_question_text_is_checked(qa: Qa) -> None:
    for text, code in (("   ", "invalid"), (["a"], "invalid"), ("x" * 501, "too_long")):
        assert refusal(services.ask, qa.session, qa.attendee, text, False, DURING) == code
    assert question_count() == 0


def test_three_questions_a_minute_per_person(qa: Qa) -> None:
    for n in range(3):
        asked(qa, qa.attendee, f"Question {n}", at=DURING + timedelta(seconds=n))
    late = DURING + timedelta(seconds=3)
    assert refusal(services.ask, qa.session, qa.attendee, "More", False, late) == "rate_limited"
    assert asked(qa, qa.other, "Someone else", at=late)
    assert asked(qa, qa.attendee, "A minute on", at=DURING + timedelta(minutes=1))
    assert question_count() == 5


# --- voting ----------------------------------------------------------------------------------


def test_a_vote_counts_once_and_can_be_taken_back(qa: Qa) -> None:
    question_id = approved(qa, qa.attendee, "Vote on me")
    first = services.vote(db.session, question_id, qa.other, 1, DURING)
    again = services.vote(db.session, question_id, qa.other, 1, DURING)
    assert (first.full["votes"], again.full["votes"]) == (1, 1)
    assert again.revision == first.revision + 1
    assert services.my_votes(db.session, qa.session, qa.other.id) == [question_id]
    assert services.my_votes(db.session, qa.session, qa.attendee.id) == []
    assert services.my_votes(db.session, qa.session, None) == []
    assert services.vote(db.session, question_id, qa.other, 0, DURING).full["votes"] == 0
    assert services.my_votes(db.session, qa.session, qa.other.id) == []
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_who_may_vote_and_on_what(qa: Qa) -> None:
    question_id = approved(qa, qa.attendee, "Vote on me")
    pending_id = asked(qa, qa.other, "Still pending")
    assert refusal(services.vote, question_id, None, 1, DURING) == "unauthenticated"
    for user in (qa.waitlisted, qa.stranger):
        assert refusal(services.vote, question_id, user, 1, DURING) == "forbidden"
    assert refusal(services.vote, question_id, qa.other, 2, DURING) == "invalid"
    assert refusal(services.vote, pending_id, qa.attendee, 1, DURING) == "not_found"
    assert refusal(services.vote, 999_999, qa.attendee, 1, DURING) == "not_found"
    assert refusal(services.vote, question_id, qa.other, 1, AFTER) == "not_live"
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    assert db.session.get(Question, question_id).votes == 0


# --- moderation ------------------------------------------------------------------------------


def test_moderation_moves_the_question_and_is_audited(qa: Qa) -> None:
    question_id = asked(qa, qa.attendee, "Moderate me")
    steps = [
        (qa.host, "approve", "pending", "visible", False),
        (qa.organiser, "pin", "visible", "visible", True),
        (qa.host, "answer", "visible", "answered", True),
        (qa.host, "hide", "answered", "hidden", False),
    ]
    for revision, (user, action, before, status, pinned) in enumerate(steps, start=1):
        view, was = services.moderate(db.session, question_id, user, action, DURING)
        assert (was, view.status, view.full["pinned"], view.revision) == (
            before,
            status,
            pinned,
            revision,
        )
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target) for e in entries] == [
        ("question.approve", qa.host.id, str(question_id)),
        ("question.pin", qa.organiser.id, str(question_id)),
        ("question.answer", qa.host.id, str(question_id)),
        ("question.hide", qa.host.id, str(question_id)),
    ]
    assert entries[0].detail == {"session": qa.session.slug, "from": "pending", "to": "visible"}


def test_only_the_sessions_hosts_and_organisers_moderate(qa: Qa) -> None:
    question_id = asked(qa, qa.attendee, "Moderate me")
    assert refusal(services.moderate, question_id, None, "approve", DURING) == "unauthenticated"
    for user in (qa.attendee, qa.other, qa.outsider_host):
        assert refusal(services.moderate, question_id, user, "approve", DURING) == "forbidden"
    assert refusal(services.moderate, question_id, qa.host, "delete", DURING) == "invalid"
    assert refusal(services.moderate, 424_242, qa.host, "hide", DURING) == "not_found"
    assert db.session.get(Question, question_id).status == "pending"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


# --- what each viewer sees -------------------------------------------------------------------


@pytest.fixture
def every_status(qa: Qa) -> dict[str, int]:
    """One question in each status, the visible one asked anonymously."""
    ids = {
        "visible": approved(qa, qa.attendee, "Visible", anonymous=True),
        "answered": approved(qa, qa.other, "Answered"),
        "pending": asked(qa, qa.other, "Pending"),
        "hidden": approved(qa, qa.attendee, "Hidden"),
    }
    services.moderate(db.session, ids["answered"], qa.host, "answer", DURING)
    services.moderate(db.session, ids["hidden"], qa.host, "hide", DURING)
    return ids


def seen(qa: Qa, user: Any) -> set[str]:
    viewer = services.viewer_for(db.session, qa.session, user)
    return {q["text"] for q in services.snapshot(db.session, qa.session, viewer)}


def test_each_viewer_sees_public_questions_and_their_own_pending_one(
    qa: Qa, every_status: dict[str, int]
) -> None:
    public = {"Visible", "Answered"}
    for user in (None, qa.stranger, qa.waitlisted, qa.attendee, qa.outsider_host):
        assert seen(qa, user) == public
    assert seen(qa, qa.other) == public | {"Pending"}
    everything = public | {"Pending", "Hidden"}
    assert seen(qa, qa.host) == seen(qa, qa.organiser) == everything


def test_only_organisers_learn_who_asked_anonymously(qa: Qa, every_status: dict[str, int]) -> None:
    def anonymous_one(user: Any) -> dict[str, Any]:
        viewer = services.viewer_for(db.session, qa.session, user)
        questions = services.snapshot(db.session, qa.session, viewer)
        return next(q for q in questions if q["id"] == every_status["visible"])

    assert anonymous_one(qa.organiser)["asked_by"] == "Ada Attendee"
    assert anonymous_one(qa.organiser)["author"] is None
    for user in (qa.host, qa.other, None):
        assert "asked_by" not in anonymous_one(user) and anonymous_one(user)["author"] is None
    named = services.snapshot(
        db.session, qa.session, services.viewer_for(db.session, qa.session, qa.organiser)
    )
    assert all("asked_by" not in q for q in named if q["id"] != every_status["visible"])


def test_viewers_know_their_place(qa: Qa) -> None:
    def viewer(user: Any) -> tuple[Any, ...]:
        found = services.viewer_for(db.session, qa.session, user)
        return found.user_id, found.confirmed, found.host, found.organiser

    assert viewer(None) == (None, False, False, False)
    assert viewer(qa.attendee) == (qa.attendee.id, True, False, False)
    assert viewer(qa.waitlisted) == (qa.waitlisted.id, False, False, False)
    assert viewer(qa.host) == (qa.host.id, False, True, False)
    assert viewer(qa.outsider_host) == (qa.outsider_host.id, False, False, False)
    assert viewer(qa.organiser) == (qa.organiser.id, False, False, True)


def test_an_organiser_flag_without_a_confirmed_address_moderates_nothing(
    qa: Qa, factory: Any, every_status: dict[str, int]
) -> None:
    # An account given the flag before its owner confirmed their address holds no organiser
    # rights anywhere, so the room shows it what everyone sees.
    unconfirmed = factory.organiser(verified=False)
    assert services.viewer_for(db.session, qa.session, unconfirmed).organiser is False
    assert services.looking(qa.session, unconfirmed).organiser is False
    assert seen(qa, unconfirmed) == {"Visible", "Answered"}


def test_questions_come_pinned_first_then_by_votes_then_oldest(qa: Qa) -> None:
    oldest = approved(qa, qa.attendee, "Oldest", at=DURING)
    voted = approved(qa, qa.other, "Voted", at=DURING + timedelta(seconds=1))
    pinned = approved(qa, qa.host, "Pinned", at=DURING + timedelta(seconds=2))
    newest = approved(qa, qa.organiser, "Newest", at=DURING + timedelta(seconds=3))
    services.vote(db.session, voted, qa.attendee, 1, DURING)
    services.moderate(db.session, pinned, qa.host, "pin", DURING)
    viewer = services.viewer_for(db.session, qa.session, None)
    order = [q.id for q in services.visible_questions(db.session, qa.session, viewer)]
    assert order == [pinned, voted, oldest, newest]


def test_the_hosts_csv_has_every_question_and_defuses_formulas(
    qa: Qa, every_status: dict[str, int]
) -> None:
    asked(qa, qa.attendee, "=HYPERLINK(1)", at=DURING + timedelta(seconds=1))
    host_rows = list(csv.reader(io.StringIO(services.questions_csv(db.session, qa.session, False))))
    assert host_rows[0] == ["id", "created_at", "status", "pinned", "votes", "author", "text"]
    assert [row[-1] for row in host_rows[1:]] == [
        "Visible",
        "Answered",
        "Pending",
        "Hidden",
        "'=HYPERLINK(1)",
    ]
    assert host_rows[1][5] == ""  # asked anonymously
    organiser = services.questions_csv(db.session, qa.session, True)
    organiser_rows = list(csv.reader(io.StringIO(organiser)))
    assert organiser_rows[0][6] == "asked_by" and organiser_rows[1][6] == "Ada Attendee"
