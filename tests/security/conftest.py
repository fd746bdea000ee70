"""A festival to attack: one session with its host and a confirmed attendee, another session
with a different host, a signed-in stranger, an organiser, a question, a token and a notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from networkfest.live.models import Presence
from networkfest.notifications.models import Notice
from networkfest.polls.models import Poll
from networkfest.qa.models import Question
from tests.conftest import test_settings as base_settings
from tests.factories import DURING, FESTIVAL_START, SESSION_START

AFTER = SESSION_START + timedelta(hours=1)


@pytest.fixture
def app_settings(database_url: str, clock: Any) -> dict[str, Any]:
    """HTTP rate limits off: these tests sign many people in from one address."""
    return {**base_settings(database_url, clock), "RATELIMIT_ENABLED": False}


@dataclass(frozen=True)
class World:
    """Ids and plain values only: handlers end the test's ORM session, values survive."""

    slug: str
    other_slug: str
    question_id: int
    host_id: int
    other_host_id: int
    attendee_id: int
    stranger_id: int
    organiser_id: int
    unverified_id: int
    token_id: int
    raw_token: str
    notice_id: int
    poll_id: int


@pytest.fixture
def world(factory: Any) -> World:
    festival = factory.festival()
    host = factory.user(name="Hana Host")
    other_host = factory.user(name="Ines Elsewhere")
    attendee = factory.user(name="Ada Attendee")
    stranger = factory.user(name="Sam Stranger")
    organiser = factory.organiser(name="Orla Organiser")
    # Everything a taker-over could hold: the organiser flag and a host's place, on an
    # address nobody proved. None of it may count.
    unverified = factory.user(name="Una Unverified", organiser=True, verified=False)
    session = factory.session(
        festival,
        hosts=[host, unverified],
        qa_mode="open",
        starts_at=SESSION_START,
        agenda=[("Welcome", 5), ("Pairs", 10), ("Share", 10), ("Plan", 10), ("Close", 10)],
    )
    other = factory.session(festival, hosts=[other_host], slug="elsewhere")
    factory.registration(session, attendee, "confirmed", FESTIVAL_START)
    question = Question(
        session_id=session.id,
        author_id=attendee.id,
        anonymous=False,
        text="What is the <b>first</b> step?",
        status="visible",
        pinned=False,
        votes=0,
        created_at=DURING,
        updated_at=DURING,
    )
    raw = new_api_token()
    token = ApiToken(
        user_id=attendee.id, name="laptop", token_hash=hash_token(raw), created_at=FESTIVAL_START
    )
    notice = Notice(
        user_id=attendee.id,
        session_id=session.id,
        kind="promoted",
        message="You have a place.",
        created_at=FESTIVAL_START,
    )
    presence = Presence(
        session_id=session.id, user_id=attendee.id, sid="seen-in-room", joined_at=DURING
    )
    # Open, so answering it is allowed; opening it again answers it as it is.
    poll = Poll(
        session_id=session.id,
        question="Which step first?",
        options=["Purpose", "Method"],
        multiple=False,
        results="live",
        status="open",
        open_in_session=session.id,
        revision=1,
        opened_at=DURING,
        created_at=DURING,
    )
    db.session.add_all([question, token, notice, presence, poll])
    db.session.commit()
    return World(
        slug=session.slug,
        other_slug=other.slug,
        question_id=question.id,
        host_id=host.id,
        other_host_id=other_host.id,
        attendee_id=attendee.id,
        stranger_id=stranger.id,
        organiser_id=organiser.id,
        unverified_id=unverified.id,
        token_id=token.id,
        raw_token=raw,
        notice_id=notice.id,
        poll_id=poll.id,
    )
