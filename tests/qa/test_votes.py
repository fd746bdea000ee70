"""Votes at the database: none lost when they arrive together, and a revision per change.

Runs on the suite's database: SQLite in one run, PostgreSQL in the other, where concurrent
transactions really overlap (a recount there read a snapshot older than the others' votes).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy.orm.attributes import set_committed_value

from networkfest import fanout
from networkfest.accounts.models import User
from networkfest.extensions import db
from networkfest.qa import services
from networkfest.qa.models import Question
from networkfest.realtime.protocol import session_room
from tests.factories import DURING
from tests.live.helpers import REGISTERED

VOTERS = 12


def live_question(factory: Any, voters: int) -> tuple[int, list[int], int]:
    """An open-Q&A session with `voters` confirmed attendees and one question by its host."""
    festival = factory.festival()
    host = factory.user()
    session = factory.session(festival, hosts=[host], qa_mode="open")
    people = [factory.user() for _ in range(voters)]
    for person in people:
        factory.registration(session, person, "confirmed", REGISTERED)
    db.session.commit()
    view = services.ask(db.session, session, host, "Which first?", False, DURING)
    ids, host_id = [person.id for person in people], host.id
    db.session.remove()
    return view.id, ids, host_id


def test_votes_at_once_are_all_counted_each_with_its_own_revision(app: Flask, factory: Any) -> None:
    question_id, voters, _ = live_question(factory, VOTERS)
    barrier = threading.Barrier(VOTERS)

    def vote(user_id: int) -> services.QuestionView:
        with app.app_context():
            user = db.session.get(User, user_id)
            # End the read first: on SQLite it holds the write lock, and the others wait for it.
            db.session.commit()
            barrier.wait(timeout=30)
            return services.vote(db.session, question_id, user, 1, DURING)

    with ThreadPoolExecutor(max_workers=VOTERS) as pool:
        views = list(pool.map(vote, voters))

    question = db.session.get(Question, question_id)
    assert question is not None
    assert question.votes == VOTERS
    # Each vote saw the count its own commit made: together exactly 1..N, in revision order.
    assert sorted((view.revision, view.full["votes"]) for view in views) == [
        (n, n) for n in range(1, VOTERS + 1)
    ]
    assert question.revision == VOTERS


def test_a_vote_reports_the_status_a_moderation_committed_meanwhile(factory: Any) -> None:
    """The vote read the question while it was visible; a host hid it before the vote's
    update ran (on PostgreSQL two transactions can interleave so). The vote's broadcast
    carries the row as its update left it: hidden, at a newer revision."""
    question_id, voters, host_id = live_question(factory, 1)
    hidden, _ = services.moderate(
        db.session, question_id, db.session.get(User, host_id), "hide", DURING
    )
    question = services.find_question(db.session, question_id)
    assert question is not None
    set_committed_value(question, "status", "visible")  # as the vote first read it
    seen = services.vote(db.session, question_id, db.session.get(User, voters[0]), 1, DURING)
    assert (hidden.revision, hidden.status) == (1, "hidden")
    assert (seen.revision, seen.status, seen.full["votes"]) == (2, "hidden", 1)
    assert seen.redacted["text"] is None


def test_taking_a_vote_back_lowers_the_count_once(app: Flask, factory: Any) -> None:
    question_id, voters, _ = live_question(factory, 1)
    voter = db.session.get(User, voters[0])
    assert services.vote(db.session, question_id, voter, 1, DURING).full["votes"] == 1
    assert services.vote(db.session, question_id, voter, 1, DURING).full["votes"] == 1
    assert services.vote(db.session, question_id, voter, 0, DURING).full["votes"] == 0
    last = services.vote(db.session, question_id, voter, 0, DURING)
    assert (last.full["votes"], last.revision) == (0, 4)


def test_settling_sends_the_count_another_process_committed(app: Flask, factory: Any) -> None:
    """With several processes each flushing its own voters' counts, the last broadcast after
    a storm must carry the final count, whichever process sends it."""
    question_id, voters, _ = live_question(factory, 2)
    seen_here = services.vote(db.session, question_id, db.session.get(User, voters[0]), 1, DURING)
    coalescer = app.extensions[fanout.EXTENSION_KEY]
    sent: list[tuple[str, dict[str, Any], str]] = []
    coalescer.emit = lambda event, payload, room: sent.append((event, payload, room))
    room = session_room(seen_here.session_id)
    coalescer.offer("question", seen_here.full, room, question_id, seen_here.revision)
    assert coalescer.flush() == 1
    # Another process's voter commits after this process flushed its count.
    services.vote(db.session, question_id, db.session.get(User, voters[1]), 1, DURING)
    assert coalescer.settle() == 1
    assert [(event, payload["votes"], to) for event, payload, to in sent] == [
        ("question", 1, room),
        ("question", 2, room),
    ]
