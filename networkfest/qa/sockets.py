"""Q&A events on `/live`: ask, vote, moderate.

Who receives a changed question (decided here, documented in `publish`):
- `visible` / `answered`: the whole session room gets the full question.
- `pending`: the hosts room (hosts and organisers) and the asker's own connections.
- `hidden`: the hosts room gets the full question; the session room gets a redacted copy
  (`status: "hidden"`, `text: null`, `author: null`) so attendees' pages remove it. Hosts'
  pages ignore redacted copies: they get the full one through the hosts room.
Who asked an anonymous question (`asked_by`) is never broadcast: organisers see it in their
`join` snapshot, on the live page and in the CSV export.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask

from networkfest import fanout
from networkfest.authz import HOST_OF_SESSION, PARTICIPANT, authorise
from networkfest.context import now
from networkfest.database import autocommit
from networkfest.extensions import db
from networkfest.group_commit import together
from networkfest.programme.queries import room_to_read
from networkfest.qa import services
from networkfest.qa.models import Question
from networkfest.qa.rules import (
    MAX_QUESTION_LENGTH,
    MODERATION_ACTIONS,
    Audience,
    QaError,
    audiences,
    check_vote_value,
)
from networkfest.realtime.protocol import (
    Ack,
    ProtocolError,
    connection_user_id,
    hosts_room,
    live_event,
    ok,
    require_bool,
    require_int,
    require_object,
    require_str,
    session_room,
    user_room,
)
from networkfest.registration.rights import in_order, participants

MAX_ID = 2**31 - 1
ASK_REFUSED = "Only people with a confirmed place can ask and vote."
MODERATE_REFUSED = "Only this session's hosts and organisers can moderate."


@contextmanager
def protocol_errors() -> Iterator[None]:
    """A rule's refusal becomes the protocol's error acknowledgement."""
    try:
        yield
    except QaError as error:
        raise ProtocolError(error.code, error.message) from error


def destinations(view: services.QuestionView) -> list[tuple[str, dict[str, Any]]]:
    """The rooms a question in its current state goes to (`rules.audiences`), and what each
    may see of it."""
    rooms = {
        Audience.ROOM: session_room(view.session_id),
        Audience.HOSTS: hosts_room(view.session_id),
    }
    if view.author_id is not None:
        rooms[Audience.ASKER] = user_room(view.author_id)
    return [
        (rooms[audience], view.full if whole else view.redacted)
        for audience, whole in audiences(view.status, view.author_id is not None)
    ]


def publish(view: services.QuestionView, *, coalesce: bool = False) -> None:
    """Send a created or changed question to exactly those allowed to see it.

    Vote counts are coalesced per room (a few broadcasts a second, and the question as it
    then is once the storm is over: `current_questions`); anything else goes at once and
    supersedes a pending count.
    """
    fanout.send_view("question", view, destinations(view), coalesce=coalesce)


def current_questions(app: Flask) -> fanout.Refresher:
    """The coalescer's refresher for `question`: the questions as they are when a storm is
    over, read in one query."""
    return fanout.refresher(app, services.current_views, destinations)


def find_question(target: int) -> Question:
    """The question with its session, which decides who may vote on or moderate it.

    The caller keeps it while the service runs: the session's identity map holds it weakly,
    and the service then finds it there instead of reading it again (a round trip).
    """
    question = services.find_question(db.session, target)
    if question is None:
        raise ProtocolError("not_found", "There is no such question.")
    return question


def question_id(payload: dict[str, Any]) -> int:
    value = require_int(payload, "question")
    if not 1 <= value <= MAX_ID:
        raise ProtocolError("not_found", "There is no such question.")
    return value


VOTES = "networkfest.qa.votes"
VoteEvent = tuple[int, int | None, int]
"""(question id, the connection's person's id, value), as a `vote` event asked."""


def write_votes(
    events: Sequence[VoteEvent],
) -> list[services.QuestionView | ProtocolError]:
    """The votes that arrived together, as one unit of work on the leader's connection: the
    questions in one read, the voters' places in another, then the rows and counts written
    and committed once (`services.cast_votes`); for each, what its acknowledgement says.

    The reads run without a transaction (`database.autocommit`): a storm of votes must not
    hold the pool's connections."""
    autocommit(db.session)
    questions = services.find_questions(db.session, (target for target, _, _ in events))
    entitled = participants(events, questions, "There is no such question.", ASK_REFUSED)
    ballots = []
    for allowed, (_, _, value) in zip(entitled, events, strict=True):
        if not isinstance(allowed, ProtocolError):
            question, user = allowed
            ballots.append(services.Ballot(question, user, value))
    written = services.cast_votes(db.session, ballots, now())
    return in_order(entitled, map(_acknowledged, written))


def _acknowledged(
    outcome: services.QuestionView | QaError,
) -> services.QuestionView | ProtocolError:
    if isinstance(outcome, QaError):
        return ProtocolError(outcome.code, outcome.message)
    return outcome


class QuestionEvents:
    @live_event
    def on_ask(self, payload: Any) -> Ack:
        data = require_object(payload)
        slug = require_str(data, "session", max_length=80)
        text = data.get("text")
        if not isinstance(text, str):
            raise ProtocolError("invalid", "'text' must be a string.")
        if len(text) > MAX_QUESTION_LENGTH * 4:
            raise ProtocolError(
                "too_long", f"Questions can be at most {MAX_QUESTION_LENGTH} characters long."
            )
        anonymous = require_bool(data, "anonymous", default=False)
        # Reads and one INSERT: no transaction to hold a connection across the hub's turns.
        autocommit(db.session)
        festival_session = room_to_read(db.session, slug)
        if festival_session is None:
            raise ProtocolError("not_found", "There is no session with that name.")
        user = authorise(PARTICIPANT, festival_session, ASK_REFUSED)
        with protocol_errors():
            question = services.ask(db.session, festival_session, user, text, anonymous, now())
        publish(question)
        return ok(question=question.full)

    @live_event
    def on_vote(self, payload: Any) -> Ack:
        data = require_object(payload)
        target = question_id(data)
        value = require_int(data, "value")
        with protocol_errors():
            check_vote_value(value)
        outcome = together(VOTES, write_votes, (target, connection_user_id(), value))
        if isinstance(outcome, ProtocolError):
            raise outcome
        publish(outcome, coalesce=True)
        return ok(votes=outcome.full["votes"])

    @live_event
    def on_moderate(self, payload: Any) -> Ack:
        data = require_object(payload)
        target = question_id(data)
        action = require_str(data, "action", max_length=20)
        if action not in MODERATION_ACTIONS:
            raise ProtocolError(
                "invalid", f"'action' must be one of: {', '.join(MODERATION_ACTIONS)}."
            )
        question = find_question(target)
        user = authorise(HOST_OF_SESSION, question.session, MODERATE_REFUSED)
        with protocol_errors():
            view, _ = services.moderate(db.session, target, user, action, now())
        publish(view)
        return ok(question=view.full)
