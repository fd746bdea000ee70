"""Who may choose to stay in touch, and who sees whom: every case, no app."""

from __future__ import annotations

import itertools

import pytest

from networkfest.peers import rules
from networkfest.peers.rules import Access, Consenting
from networkfest.timing.rules import Phase

# Choosing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "cancelled", "in_room", "verified"),
    list(itertools.product(tuple(Phase), (False, True), (False, True), (False, True))),
)
def test_only_a_verified_person_who_was_in_the_room_chooses_after_the_end(
    phase: Phase, cancelled: bool, in_room: bool, verified: bool
) -> None:
    refusal = rules.choice_refusal(
        phase=phase, cancelled=cancelled, in_room=in_room, verified=verified
    )
    allowed = phase == Phase.ENDED and not cancelled and in_room and verified
    assert (refusal is None) is allowed


@pytest.mark.parametrize(
    ("phase", "cancelled", "in_room", "verified", "words"),
    [
        (Phase.ENDED, True, True, True, "cancelled"),
        (Phase.LIVE, False, True, True, "once the session has ended"),
        (Phase.LOBBY, False, True, True, "once the session has ended"),
        (Phase.SCHEDULED, False, False, True, "once the session has ended"),
        (Phase.ENDED, False, False, True, "were in the session's room"),
        (Phase.ENDED, False, True, False, "confirm your e-mail address"),
    ],
)
def test_each_refusal_says_why(
    phase: Phase, cancelled: bool, in_room: bool, verified: bool, words: str
) -> None:
    refusal = rules.choice_refusal(
        phase=phase, cancelled=cancelled, in_room=in_room, verified=verified
    )
    assert refusal is not None and words in refusal


# What the page offers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chose", "refusal", "expected"),
    [
        (True, None, Access.SEES),
        # Withdrawing stays open to someone who chose, whatever happened since.
        (True, "This session was cancelled.", Access.SEES),
        (False, None, Access.MAY_CHOOSE),
        (False, "Only people who were in the session's room can choose.", Access.NONE),
    ],
)
def test_access(chose: bool, refusal: str | None, expected: Access) -> None:
    assert rules.access(chose=chose, refusal=refusal) is expected


@pytest.mark.parametrize(
    ("person", "may"),
    [(Access.SEES, True), (Access.MAY_CHOOSE, True), (Access.NONE, False)],
)
def test_who_may_change_their_choice(person: Access, may: bool) -> None:
    assert rules.may_change_choice(person) is may


# Who sees whom ----------------------------------------------------------------------------

ANN, BEN, CAL, DEE = 1, 2, 3, 4


def chose(*people: int, unverified: tuple[int, ...] = ()) -> list[Consenting]:
    return [Consenting(person, person not in unverified) for person in people]


def test_people_who_chose_see_each_other_and_not_themselves() -> None:
    consenting = chose(ANN, BEN, CAL)
    assert rules.visible_peers(ANN, consenting) == [BEN, CAL]
    assert rules.visible_peers(BEN, consenting) == [ANN, CAL]
    assert rules.visible_peers(CAL, consenting) == [ANN, BEN]


def test_someone_who_did_not_choose_sees_nobody() -> None:
    consenting = chose(ANN, BEN)
    assert not rules.sees_peers(DEE, consenting)
    assert rules.visible_peers(DEE, consenting) == []


def test_the_only_one_who_chose_sees_an_empty_list() -> None:
    assert rules.sees_peers(ANN, chose(ANN))
    assert rules.visible_peers(ANN, chose(ANN)) == []


def test_nobody_chose_nobody_sees() -> None:
    assert not rules.sees_peers(ANN, [])
    assert rules.visible_peers(ANN, []) == []


def test_a_withdrawn_person_vanishes_and_sees_nobody() -> None:
    before = chose(ANN, BEN, CAL)
    after = [person for person in before if person.user_id != BEN]
    assert BEN in rules.visible_peers(ANN, before)
    assert rules.visible_peers(ANN, after) == [CAL]
    assert rules.visible_peers(BEN, after) == []


def test_an_unproved_address_is_neither_shown_nor_shown_to() -> None:
    consenting = chose(ANN, BEN, CAL, unverified=(BEN,))
    assert rules.visible_peers(ANN, consenting) == [CAL]
    assert not rules.sees_peers(BEN, consenting)
    assert rules.visible_peers(BEN, consenting) == []


def test_the_order_given_is_kept() -> None:
    assert rules.visible_peers(BEN, chose(DEE, BEN, ANN, CAL)) == [DEE, ANN, CAL]


@pytest.mark.parametrize("size", range(4))
def test_seeing_is_mutual_for_every_pair(size: int) -> None:
    everyone = (ANN, BEN, CAL, DEE)
    for subset in itertools.combinations(everyone, size):
        consenting = chose(*subset)
        for viewer, other in itertools.permutations(everyone, 2):
            sees = other in rules.visible_peers(viewer, consenting)
            assert sees is (viewer in subset and other in subset)
            assert sees is (viewer in rules.visible_peers(other, consenting))
