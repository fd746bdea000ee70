"""Answers in a storm are written in groups (`group_commit`), as votes are: each group in as
few round trips as its checks allow, whatever its size, since each round trip holds a pooled
connection (`database.autocommit`); each answer still gets its own acknowledgement."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.polls import services
from networkfest.polls.models import Poll, PollChoice
from networkfest.polls.sockets import Answered, write_answers
from networkfest.realtime.protocol import ProtocolError
from tests.factories import DURING
from tests.live.helpers import Room
from tests.polls.helpers import PREPARED, answer, open_poll, prepare, votes
from tests.statements import recorded

ONE_CHOICE = {
    "question": "Written method?",
    "options": ["Yes", "No"],
    "multiple": False,
    "results": "live",
}


@pytest.fixture
def opened(socket_client: Any, room: Room, clock: SettableClock) -> tuple[int, int]:
    """A multiple-choice poll and a single-choice one, the first open."""
    many, one = prepare(room.session_id, [PREPARED[0], ONE_CHOICE])
    clock.set(DURING)
    assert open_poll(socket_client(room.host), room.slug, many)["ok"] is True
    return many, one


def chosen(poll: int) -> list[tuple[int, int]]:
    db.session.rollback()
    return list(
        db.session.execute(
            select(PollChoice.user_id, PollChoice.option)
            .where(PollChoice.poll_id == poll)
            .order_by(PollChoice.user_id, PollChoice.option)
        )
    )


def test_an_answer_reads_the_persons_place_once(
    socket_client: Any, room: Room, opened: tuple[int, int]
) -> None:
    many, _ = opened
    socket_client(room.attendee)  # connected: this process knows them

    for choices in ([1, 3], [2]):
        with recorded() as (statements, commits):
            [outcome] = write_answers([(many, room.attendee.id, choices)])
        assert isinstance(outcome, Answered), outcome
        places = [s for s in statements if "FROM registrations" in s]
        assert len(places) == 1, statements
        assert len(commits) == 1
        if db.engine.dialect.name == "postgresql":
            # the poll, the place, then the lock, the answer and the counts sent with the
            # COMMIT as one batch: three round trips
            assert len(statements) == 6, statements
    assert votes(outcome.view.public) == [0, 1, 0] and outcome.view.public["total"] == 1
    acknowledged = answer(socket_client(room.other), many, 2)
    assert votes(acknowledged["poll"]) == [0, 2, 0]


def test_a_group_of_answers_is_written_with_the_statements_of_one(
    socket_client: Any, room: Room, opened: tuple[int, int]
) -> None:
    """On PostgreSQL: the polls, the places, then the locks, the rows and the counts in one
    batch with the COMMIT. SQLite, in the process and under its write lock, claims the poll
    once, removes each person's former choices, adds every new one in one statement, and
    commits the group once."""
    many, _ = opened
    people = [room.attendee, room.other, room.host, room.organiser]
    for who in people:
        socket_client(who)  # connected: this process knows them, as in a storm

    with recorded() as (alone, _):
        [first] = write_answers([(many, people[0].id, [1])])
    with recorded() as (together, commits):
        outcomes = write_answers([(many, who.id, [1, 2]) for who in people[1:]])

    assert len(commits) == 1
    if db.engine.dialect.name == "postgresql":
        assert len(together) == len(alone) == 6, together
    else:
        claims = [s for s in together if s.startswith("UPDATE polls")]
        additions = [s for s in together if s.startswith("INSERT")]
        assert (len(claims), len(additions)) == (1, 1), together
    assert isinstance(first, Answered) and votes(first.view.full) == [1, 0, 0]
    assert all(isinstance(o, Answered) for o in outcomes)
    assert [votes(o.view.full) for o in outcomes] == [[4, 3, 0]] * 3  # type: ignore[union-attr]
    assert [o.view.full["total"] for o in outcomes] == [4] * 3  # type: ignore[union-attr]


def test_each_answer_of_a_group_gets_its_own_acknowledgement(
    room: Room, opened: tuple[int, int]
) -> None:
    """A refusal is that person's alone; a person's answers to one poll in one group come to
    their last one, and what they no longer choose is removed."""
    many, one = opened

    outcomes = write_answers(
        [
            (many, room.attendee.id, [1, 3]),
            (many, room.outsider_host.id, [1]),  # no place in this session
            (many + 1000, room.other.id, [1]),  # no such poll
            (many, None, [1]),  # signed out
            (one, room.other.id, [1]),  # prepared, not open: a secret from attendees
            (one, room.host.id, [1]),  # the host sees it, but it is not open
            (many, room.other.id, [4]),  # no such option
            (many, room.other.id, [2, 3]),
            (many, room.attendee.id, [2]),
            (many, room.host.id, [3]),  # a host answers too, and sees the counts as one
        ]
    )

    refusals = [(o.code, o.message) for o in outcomes if isinstance(o, ProtocolError)]
    assert refusals == [
        ("forbidden", "Only people with a confirmed place can answer polls."),
        ("not_found", "There is no such poll."),
        ("unauthenticated", refusals[2][1]),
        ("not_found", "There is no such poll."),
        ("invalid", "This poll is not open."),
        ("invalid", "There is no such option in this poll."),
    ]
    written = [o for o in outcomes if isinstance(o, Answered)]
    assert [votes(o.view.full) for o in written] == [[0, 2, 2]] * 4
    assert [o.view.full["total"] for o in written] == [3] * 4
    assert [o.moderator for o in written] == [False, False, False, True]
    assert chosen(many) == sorted(
        [(room.attendee.id, 2), (room.other.id, 2), (room.other.id, 3), (room.host.id, 3)]
    )
    assert chosen(one) == []


def test_an_answer_to_a_poll_that_closed_after_it_was_read_is_refused_and_not_written(
    room: Room, opened: tuple[int, int]
) -> None:
    """The poll was open when the group read it; its claim in the write finds it closed."""
    many, _ = opened
    db.session.commit()
    poll = services.find_polls(db.session, [many])[many]
    db.session.execute(
        update(Poll).where(Poll.id == many).values(status="closed", open_in_session=None),
        execution_options={"synchronize_session": False},
    )
    [outcome] = services.cast_answers(
        db.session, [services.Answer(poll, room.attendee.id, False, [1])], DURING
    )

    assert isinstance(outcome, services.PollError)
    assert outcome.message == services.JUST_CLOSED
    assert chosen(many) == []
