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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from networkfest.context import now
from networkfest.extensions import db
from networkfest.live import emit
from networkfest.live.protocol import (
    Ack,
    ProtocolError,
    caller,
    live_event,
    ok,
    require_bool,
    require_int,
    require_object,
    require_str,
)
from networkfest.programme.queries import session_by_slug
from networkfest.qa import services
from networkfest.qa.models import Question
from networkfest.qa.rules import MAX_QUESTION_LENGTH, QaError

MAX_ID = 2**31 - 1


@contextmanager
def protocol_errors() -> Iterator[None]:
    """A rule's refusal becomes the protocol's error acknowledgement."""
    try:
        yield
    except QaError as error:
        raise ProtocolError(error.code, error.message) from error


def publish(question: Question) -> None:
    """Send a created or changed question to exactly those allowed to see it."""
    full = services.payload(question)
    if question.status in ("visible", "answered"):
        emit.to_session("question", full, question.session_id)
    elif question.status == "pending":
        emit.to_hosts("question", full, question.session_id)
        if question.author_id is not None:
            emit.to_user("question", full, question.author_id)
    else:
        emit.to_hosts("question", full, question.session_id)
        emit.to_session("question", services.redacted(question), question.session_id)


def question_id(payload: dict[str, Any]) -> int:
    value = require_int(payload, "question")
    if not 1 <= value <= MAX_ID:
        raise ProtocolError("not_found", "There is no such question.")
    return value


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
        festival_session = session_by_slug(db.session, slug)
        if festival_session is None:
            raise ProtocolError("not_found", "There is no session with that name.")
        with protocol_errors():
            question = services.ask(db.session, festival_session, caller(), text, anonymous, now())
        publish(question)
        return ok(question=services.payload(question))

    @live_event
    def on_vote(self, payload: Any) -> Ack:
        data = require_object(payload)
        target = question_id(data)
        value = require_int(data, "value")
        with protocol_errors():
            question = services.vote(db.session, target, caller(), value, now())
        publish(question)
        return ok(votes=question.votes)

    @live_event
    def on_moderate(self, payload: Any) -> Ack:
        data = require_object(payload)
        target = question_id(data)
        action = require_str(data, "action", max_length=20)
        with protocol_errors():
            question, _ = services.moderate(db.session, target, caller(), action, now())
        publish(question)
        return ok(question=services.payload(question))
