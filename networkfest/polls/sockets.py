"""Poll events on `/live`: poll_open, poll_answer, poll_close, and who receives a `poll`.

Who receives a poll (a rule, `polls.rules.audiences`; `destinations` maps it to rooms):
- `ready` (prepared, not yet opened): the hosts room only.
- `open` / `closed` with counts everyone may see: the whole session room, counts included.
- `open` with `results = "closed"`: the session room with `votes` null, and the hosts room
  with the counts. Hosts' pages ignore the copy without counts.
Counts moved by answers are coalesced per room (`networkfest.fanout`, key: the poll's id,
version: its revision); an open or a close goes at once and supersedes a pending count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from flask import Flask, current_app

from networkfest import fanout, jobs
from networkfest.authz import HOST_OF_SESSION, authorise, is_organiser
from networkfest.context import now
from networkfest.database import autocommit
from networkfest.extensions import db
from networkfest.group_commit import together
from networkfest.polls import services
from networkfest.polls.models import Poll
from networkfest.polls.rules import (
    ANSWER_REFUSED,
    HOSTS_ONLY,
    PollError,
    audiences,
    written_poll,
)
from networkfest.programme.queries import room_by_slug
from networkfest.programme.rules import MAX_POLL_OPTION, MAX_POLL_OPTIONS, MAX_POLL_QUESTION
from networkfest.qa.rules import Audience
from networkfest.realtime.protocol import (
    Ack,
    ProtocolError,
    connection_user_id,
    hosts_room,
    live_event,
    ok,
    require_int,
    require_object,
    require_str,
    session_room,
)
from networkfest.registration.rights import in_order, participants

MAX_ID = 2**31 - 1


@contextmanager
def protocol_errors() -> Iterator[None]:
    """A rule's refusal becomes the protocol's error acknowledgement."""
    try:
        yield
    except PollError as error:
        raise ProtocolError(error.code, error.message) from error


def destinations(view: services.PollView) -> list[tuple[str, dict[str, Any]]]:
    """The rooms a poll in its current state goes to (`rules.audiences`), and what each may
    see of it."""
    rooms = {
        Audience.ROOM: session_room(view.session_id),
        Audience.HOSTS: hosts_room(view.session_id),
    }
    return [
        (rooms[audience], view.full if counts else view.public)
        for audience, counts in audiences(view.status, view.results)
    ]


def publish(view: services.PollView, *, coalesce: bool = False) -> None:
    """Send an opened, answered or closed poll to exactly those allowed to see it."""
    fanout.send_view("poll", view, destinations(view), coalesce=coalesce)


def current_polls(app: Flask) -> fanout.Refresher:
    """The coalescer's refresher for `poll`: the polls as they are when a storm is over."""
    return fanout.refresher(app, services.current_views, destinations)


def poll_id(payload: dict[str, Any], key: str = "poll") -> int:
    value = require_int(payload, key)
    if not 1 <= value <= MAX_ID:
        raise ProtocolError("not_found", "There is no such poll.")
    return value


def find_poll(target: int) -> Poll:
    poll = services.find_poll(db.session, target)
    if poll is None:
        raise ProtocolError("not_found", "There is no such poll.")
    return poll


ANSWERS = "networkfest.polls.answers"
AnswerEvent = tuple[int, int | None, Any]
"""(poll id, the connection's person's id, choices), as a `poll_answer` event asked."""


class Answered(NamedTuple):
    """An answer written: the poll as it then was, and whether the person sees it as a host."""

    view: services.PollView
    moderator: bool


def write_answers(events: Sequence[AnswerEvent]) -> list[Answered | ProtocolError]:
    """The answers that arrived together, as one unit of work on the leader's connection: the
    polls in one read, the people's places in another, then every answer written, counted
    and committed once (`services.cast_answers`); for each, what its acknowledgement says.

    The reads run without a transaction (`database.autocommit`): a storm of answers must not
    hold the pool's connections."""
    autocommit(db.session)
    polls = services.find_polls(db.session, (target for target, _, _ in events))
    entitled = participants(events, polls, "There is no such poll.", ANSWER_REFUSED)
    answers = []
    for allowed, (_, _, choices) in zip(entitled, events, strict=True):
        if not isinstance(allowed, ProtocolError):
            poll, user = allowed
            moderator = poll.session.is_host(user) or is_organiser(user)
            answers.append(services.Answer(poll, user.id, moderator, choices))
    written = services.cast_answers(db.session, answers, now())
    return in_order(entitled, map(_acknowledged, answers, written))


def _acknowledged(
    answer: services.Answer, outcome: services.PollView | PollError
) -> Answered | ProtocolError:
    if isinstance(outcome, PollError):
        return ProtocolError(outcome.code, outcome.message)
    return Answered(outcome, answer.moderator)


class PollEvents:
    @live_event
    def on_poll_open(self, payload: Any) -> Ack:
        data = require_object(payload)
        slug = require_str(data, "session", max_length=80)
        festival_session = room_by_slug(db.session, slug, run_sheet=False)
        if festival_session is None:
            raise ProtocolError("not_found", "There is no session with that name.")
        user = authorise(HOST_OF_SESSION, festival_session, HOSTS_ONLY)
        with protocol_errors():
            if "poll" in data:
                view = services.open_prepared(
                    db.session, festival_session, user, poll_id(data), now()
                )
            else:
                spec = written_poll(
                    _bounded(data.get("question"), MAX_POLL_QUESTION),
                    _bounded_list(data.get("options")),
                    data.get("multiple", False),
                    data.get("results", "live"),
                )
                view = services.open_written(db.session, festival_session, user, spec, now())
        publish(view)
        # The job runner must know this poll closes at the hard stop.
        jobs.wake(current_app._get_current_object())  # type: ignore[attr-defined]
        return ok(poll=view.full)

    @live_event
    def on_poll_answer(self, payload: Any) -> Ack:
        data = require_object(payload)
        target = poll_id(data)
        choices = data.get("choices")
        if isinstance(choices, list) and len(choices) > MAX_POLL_OPTIONS:
            raise ProtocolError("invalid", "There are not that many options.")
        outcome = together(ANSWERS, write_answers, (target, connection_user_id(), choices))
        if isinstance(outcome, ProtocolError):
            raise outcome
        publish(outcome.view, coalesce=True)
        return ok(poll=outcome.view.full if outcome.moderator else outcome.view.public)

    @live_event
    def on_poll_close(self, payload: Any) -> Ack:
        data = require_object(payload)
        target = poll_id(data)
        poll = find_poll(target)
        user = authorise(HOST_OF_SESSION, poll.session, HOSTS_ONLY)
        with protocol_errors():
            view = services.close(db.session, target, user, now())
        publish(view)
        return ok(poll=view.full)


def _bounded(value: Any, limit: int, what: str = "question") -> Any:
    """Refuse an absurdly long text before checking it (a text four times the limit)."""
    if isinstance(value, str) and len(value) > limit * 4:
        raise ProtocolError("too_long", f"A poll's {what} can be at most {limit} characters.")
    return value


def _bounded_list(value: Any) -> Any:
    if isinstance(value, list) and len(value) > MAX_POLL_OPTIONS * 4:
        raise ProtocolError("invalid", f"A poll has at most {MAX_POLL_OPTIONS} options.")
    if isinstance(value, list):
        for option in value:
            _bounded(option, MAX_POLL_OPTION, "option")
    return value
