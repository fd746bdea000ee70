"""Votes in a storm are written in groups (`group_commit`), each group in as few round trips
as its checks allow, whatever its size: each round trip holds a pooled connection
(`database.autocommit`). Whether a voter holds a place is read once, for the right to act
and for the rules' viewer alike, and never beyond the transaction that read it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy.orm import Session

from networkfest import process_cache
from networkfest.extensions import db, socketio
from networkfest.group_commit import together
from networkfest.programme.models import FestivalSession
from networkfest.qa import services
from networkfest.qa.sockets import VOTES, write_votes
from networkfest.realtime.protocol import ProtocolError
from networkfest.registration import services as registration
from tests.factories import SESSION_START
from tests.live.helpers import Room, ask, emit, joined
from tests.statements import recorded


def approved_question(socket_client: Any, room: Room, clock: Any) -> int:
    clock.set(SESSION_START)
    host = socket_client(room.host)
    joined(host, room.slug)
    question: int = ask(host, room.slug)["question"]["id"]
    emit(host, "moderate", {"question": question, "action": "approve"})
    return question


def test_a_vote_reads_the_voters_place_once(socket_client: Any, room: Room, clock: Any) -> None:
    question = approved_question(socket_client, room, clock)
    voter = socket_client(room.attendee)
    joined(voter, room.slug)

    for value in (1, 0):
        with recorded() as (statements, commits):
            ack = emit(voter, "vote", {"question": question, "value": value})
        assert ack == {"ok": True, "votes": value}
        places = [s for s in statements if "FROM registrations" in s]
        assert len(places) == 1, statements
        assert len(commits) == 1
        if db.engine.dialect.name == "postgresql":
            # the question, the place, then the lock and the vote with its count sent with
            # the COMMIT as one batch: three round trips
            assert len(statements) == 4, statements


def test_a_group_of_votes_is_written_with_the_statements_of_one(
    socket_client: Any, room: Room, factory: Any, clock: Any
) -> None:
    """On PostgreSQL: the questions, the places, then the locks and the rows with the counts
    in one batch with the COMMIT. SQLite writes a vote's row at a time, in the process and
    under its write lock, then moves the question's count once, and commits the group once."""
    question = approved_question(socket_client, room, clock)
    people = [room.attendee, room.other, room.host, room.organiser]
    for voter in people:
        socket_client(voter)  # connected: this process knows them, as in a storm
    voters = [voter.id for voter in people]

    with recorded() as (alone, _):
        [first] = write_votes([(question, voters[0], 1)])
    with recorded() as (together, commits):
        outcomes = write_votes([(question, voter, 1) for voter in voters[1:]])

    assert len(commits) == 1
    if db.engine.dialect.name == "postgresql":
        assert len(together) == len(alone) == 4, together
    else:
        assert len([s for s in together if s.startswith("UPDATE questions")]) == 1, together
    assert isinstance(first, services.QuestionView) and first.full["votes"] == 1
    assert [o.full["votes"] for o in outcomes if isinstance(o, services.QuestionView)] == [4] * 3


def test_on_sqlite_votes_arriving_while_the_first_is_gathered_are_written_with_it(
    app: Flask, socket_client: Any, room: Room, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite lets no other greenlet in while it writes, so no group would form by itself:
    the first vote's leader gives the hub a turn first, and the votes that arrive meanwhile
    are written in its group and committed once. The test's turn lasts until all three
    wait, so nothing depends on timing."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL a group forms while the one before it waits on the database")
    question = approved_question(socket_client, room, clock)
    voters = [room.attendee.id, room.other.id, room.host.id]

    def one_turn(_seconds: float) -> None:
        assert current_app.extensions[VOTES].waiting_at_least(3, 30)

    monkeypatch.setattr(socketio, "sleep", one_turn)

    def vote(voter: int) -> Any:
        with app.app_context():
            try:
                return together(VOTES, write_votes, (question, voter, 1))
            finally:
                db.session.remove()

    with recorded() as (_, commits), ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(vote, voters))

    assert len(commits) == 1
    assert sorted(o.full["votes"] for o in outcomes) == [3, 3, 3]


def test_each_vote_of_a_group_gets_its_own_answer(
    socket_client: Any, room: Room, clock: Any
) -> None:
    """A refusal is that voter's alone; a person's votes on one question in one group come
    to their last one."""
    question = approved_question(socket_client, room, clock)

    outcomes = write_votes(
        [
            (question, room.attendee.id, 1),
            (question, room.outsider_host.id, 1),  # no place in this session
            (question + 1000, room.other.id, 1),  # no such question
            (question, None, 1),  # signed out
            (question, room.other.id, 1),
            (question, room.other.id, 0),
            (question, room.other.id, 1),
        ]
    )

    refusals = [(o.code, o.message) for o in outcomes if isinstance(o, ProtocolError)]
    assert refusals == [
        ("forbidden", "Only people with a confirmed place can ask and vote."),
        ("not_found", "There is no such question."),
        ("unauthenticated", refusals[2][1]),
    ]
    counts = [o.full["votes"] for o in outcomes if isinstance(o, services.QuestionView)]
    assert counts == [2, 2, 2, 2]
    assert services.find_question(db.session, question).votes == 2


def test_a_place_read_is_forgotten_when_its_transaction_ends(
    factory: Any, festival: Any, clock: Any
) -> None:
    session = factory.session(festival)
    person = factory.user()
    session_id, person_id = session.id, person.id
    assert registration.holds_confirmed_place(db.session, session_id, person_id) is False
    registration.register(db.session, session, person, clock.now())
    assert registration.holds_confirmed_place(db.session, session_id, person_id) is True
    registration.cancel_registration(
        db.session, registration.find_registration(db.session, session, person), clock.now()
    )
    db.session.commit()
    assert registration.holds_confirmed_place(db.session, session_id, person_id) is False


def test_an_ask_takes_its_room_from_the_published_copy(
    socket_client: Any, room: Room, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The room, its festival and its hosts come from this process's copy of what was
    published, read where it is (`programme.queries.room_to_read`), not merged into the
    event's session: an ask sends the asker's place, their count of recent questions and the
    question itself, and reads no session or host. On PostgreSQL the count and the question
    are one statement."""
    merged: list[type] = []
    merge = Session.merge

    def merging(session: Session, instance: Any, **kwargs: Any) -> Any:
        merged.append(type(instance))
        return merge(session, instance, **kwargs)

    monkeypatch.setattr(Session, "merge", merging)
    clock.set(SESSION_START)
    asker = socket_client(room.attendee)
    joined(asker, room.slug)
    assert ask(asker, room.slug)["ok"] is True
    merged.clear()
    with recorded() as (statements, commits):
        shown = ask(asker, room.slug, "Where is it?")
    assert shown["ok"] is True and shown["question"]["session"] == room.slug
    assert not [s for s in statements if "festival_sessions" in s or "session_hosts" in s]
    expected = 2 if db.engine.dialect.name == "postgresql" else 3
    assert len(statements) == expected and len(commits) <= 1, statements
    assert FestivalSession not in merged, merged


def test_only_a_rooms_first_question_tells_the_processes_to_forget_whether_it_has_one(
    socket_client: Any, room: Room, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a room has a question (`qa.services.asked_in`) changes with its first
    question alone. On PostgreSQL a later one tells no process, which would cost each ask a
    round trip to the message queue before its broadcast; on SQLite every one forgets what
    this process knows, which costs nothing. Either way a host joining then gets both."""
    told: list[str] = []
    forget = process_cache.forget

    def telling(name: str, label: str | None = None) -> None:
        told.append(name)
        forget(name, label)

    monkeypatch.setattr(process_cache, "forget", telling)
    clock.set(SESSION_START)
    asker = socket_client(room.attendee)
    joined(asker, room.slug)
    first = ask(asker, room.slug, "The first?")["question"]["id"]
    assert told.count(services.ASKED) == 1
    second = ask(asker, room.slug, "The second?")["question"]["id"]
    later = 0 if db.engine.dialect.name == "postgresql" else 1
    assert told.count(services.ASKED) == 1 + later
    newcomer = joined(socket_client(room.host), room.slug)  # the room is moderated
    assert sorted(question["id"] for question in newcomer["questions"]) == [first, second]
