"""Recording and withdrawing the choice, and who sees whom, against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from networkfest.extensions import db
from networkfest.peers import services
from networkfest.peers.models import PeerConsent
from networkfest.peers.rules import Access
from tests.peers.helpers import AFTER, DURING, choose, ended_session, session_of


def consents() -> list[tuple[int, int]]:
    return [
        tuple(row)
        for row in db.session.execute(select(PeerConsent.session_id, PeerConsent.user_id))
    ]


def test_set_consent_records_once_and_leaves_the_commit_to_the_caller(factory, clock) -> None:
    world = ended_session(factory, clock)
    services.set_consent(db.session, world.session_id, world.ann.id, True, AFTER)
    services.set_consent(db.session, world.session_id, world.ann.id, True, AFTER)
    assert consents() == [(world.session_id, world.ann.id)]
    db.session.rollback()
    assert consents() == []


def test_set_consent_keeps_the_first_choice_time(factory, clock) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    services.set_consent(
        db.session, world.session_id, world.ann.id, True, AFTER + timedelta(hours=1)
    )
    db.session.commit()
    assert db.session.scalar(select(PeerConsent.created_at)) == AFTER


def test_set_consent_false_removes_and_is_idempotent(factory, clock) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    services.set_consent(db.session, world.session_id, world.ann.id, False, AFTER)
    services.set_consent(db.session, world.session_id, world.ann.id, False, AFTER)
    services.set_consent(db.session, world.session_id, world.cal.id, False, AFTER)
    db.session.commit()
    assert consents() == [(world.session_id, world.ben.id)]


def test_set_consent_inside_a_unit_of_work_with_other_writes(factory, clock) -> None:
    """The feedback's unit of work: a pending write, then the consent, then one commit."""
    world = ended_session(factory, clock)
    world.ann.organisation = "Pending Trust"
    services.set_consent(db.session, world.session_id, world.ann.id, True, AFTER)
    db.session.commit()
    assert consents() == [(world.session_id, world.ann.id)]
    assert db.session.scalar(select(func.count()).select_from(PeerConsent)) == 1


def test_people_who_chose_see_each_other_by_name(factory, clock) -> None:
    world = ended_session(factory, clock)
    world.ben.organisation, world.ben.role = "Care Network", "Lead"
    db.session.commit()
    choose(world, world.cal, world.ann, world.ben)
    peers = services.peers_for(db.session, world.session_id, world.ann.id)
    assert peers == [
        services.Peer("Ben Bright", "Care Network", "Lead", "ben@example.org"),
        services.Peer("Cal Calm", "", "", "cal@example.org"),
    ]


def test_nobody_who_did_not_choose_sees_anyone(factory, clock) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    for person in (world.cal, world.host, world.organiser, world.stranger):
        assert services.peers_for(db.session, world.session_id, person.id) is None


def test_a_choice_in_another_session_shows_nothing_here(factory, clock) -> None:
    world = ended_session(factory, clock)
    other = factory.session(session_of(world).festival, slug="elsewhere")
    choose(world, world.ann)
    services.set_consent(db.session, other.id, world.ben.id, True, AFTER)
    db.session.commit()
    assert services.peers_for(db.session, world.session_id, world.ann.id) == []
    assert services.peers_for(db.session, world.session_id, world.ben.id) is None


def test_withdrawing_removes_at_once(factory, clock) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann, world.ben)
    services.withdraw(db.session, world.session_id, world.ben.id, AFTER)
    assert services.peers_for(db.session, world.session_id, world.ann.id) == []
    assert services.peers_for(db.session, world.session_id, world.ben.id) is None


def test_choose_commits_for_someone_in_the_room(factory, clock) -> None:
    world = ended_session(factory, clock)
    services.choose(db.session, session_of(world), world.ann, AFTER)
    db.session.rollback()
    assert consents() == [(world.session_id, world.ann.id)]


@pytest.mark.parametrize(
    ("who", "when", "words"),
    [
        ("stranger", AFTER, "were in the session's room"),
        ("organiser", AFTER, "were in the session's room"),
        ("ann", DURING, "once the session has ended"),
    ],
)
def test_choose_refuses_people_who_may_not(factory, clock, who, when, words) -> None:
    world = ended_session(factory, clock)
    with pytest.raises(services.PeerRefused, match=words):
        services.choose(db.session, session_of(world), getattr(world, who), when)
    assert consents() == []


def test_choose_refuses_in_a_cancelled_session(factory, clock) -> None:
    world = ended_session(factory, clock)
    session_of(world).status = "cancelled"
    db.session.commit()
    with pytest.raises(services.PeerRefused, match="cancelled"):
        services.choose(db.session, session_of(world), world.ann, AFTER)


def test_choose_refuses_an_unproved_address(factory, clock) -> None:
    world = ended_session(factory, clock)
    world.ann.verified_at = None
    db.session.commit()
    with pytest.raises(services.PeerRefused, match="confirm your e-mail"):
        services.choose(db.session, session_of(world), world.ann, AFTER)


def test_access_for_each_person(factory, clock) -> None:
    world = ended_session(factory, clock)
    choose(world, world.ann)
    festival_session = session_of(world)

    def access(person, now=AFTER):
        return services.access_for(db.session, festival_session, person, now)

    assert access(world.ann) is Access.SEES
    assert access(world.ben) is Access.MAY_CHOOSE
    assert access(world.ben, DURING) is Access.NONE
    assert access(world.stranger) is Access.NONE
    assert access(world.organiser) is Access.NONE


def test_an_unverified_person_who_chose_sees_nobody_and_is_not_seen(factory, clock) -> None:
    """However the choice got there (the feedback does not ask for a proved address)."""
    world = ended_session(factory, clock)
    world.ben.verified_at = None
    db.session.commit()
    choose(world, world.ann, world.ben)
    assert services.peers_for(db.session, world.session_id, world.ann.id) == []
    assert services.peers_for(db.session, world.session_id, world.ben.id) is None


def test_a_choice_racing_the_same_choice_is_recorded_once(factory, clock, monkeypatch) -> None:
    """Another request recorded it between the look and the insert: the unique key refuses
    the second row, the savepoint rolls back alone, and the caller's work goes on."""
    world = ended_session(factory, clock)
    db.session.execute(
        insert(PeerConsent).values(
            session_id=world.session_id, user_id=world.ann.id, created_at=AFTER
        )
    )
    monkeypatch.setattr(services, "has_consent", lambda *args: False)
    world.ben.organisation = "Written in the same unit of work"
    services.set_consent(db.session, world.session_id, world.ann.id, True, AFTER)
    db.session.commit()
    assert consents() == [(world.session_id, world.ann.id)]
    assert db.session.get(type(world.ben), world.ben.id).organisation.startswith("Written")
