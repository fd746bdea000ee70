"""Poll counts are coalesced like vote counts: a storm of answers costs a few broadcasts,
and the last one carries the final counts; a close goes at once."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from networkfest import fanout
from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from tests.conftest import test_settings as base_settings
from tests.factories import DURING
from tests.live.helpers import REGISTERED, Room, events, joined, person
from tests.polls.helpers import answer, close, open_poll, prepare, votes


@pytest.fixture
def app_settings(database_url: str, clock: SettableClock) -> dict[str, Any]:
    return {**base_settings(database_url, clock), "FANOUT_INTERVAL_MS": 200}


def test_a_storm_of_answers_becomes_one_broadcast_with_the_final_counts(
    app: Flask,
    socket_client: Any,
    room: Room,
    factory: Any,
    clock: SettableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loops: list[Any] = []
    monkeypatch.setattr(fanout.socketio, "start_background_task", lambda *a: loops.append(a))
    festival_session = db.session.get(FestivalSession, room.session_id)
    assert festival_session is not None
    people = []
    for n in range(20):
        user = factory.user(name=f"Person {n}")
        factory.registration(festival_session, user, "confirmed", REGISTERED)
        people.append(person(user))
    polls = prepare(room.session_id)
    clock.set(DURING)
    host, watcher = socket_client(room.host), socket_client()
    joined(watcher, room.slug)
    open_poll(host, room.slug, polls[0])
    assert [p["status"] for p in events(watcher, "poll")] == ["open"]  # at once
    for n, someone in enumerate(people):
        assert answer(socket_client(someone), polls[0], 1 + n % 3)["ok"] is True
    assert events(watcher, "poll") == [] and len(loops) == 1
    coalescer = fanout.coalescer()
    assert coalescer.flush() == 1
    (counts,) = events(watcher, "poll")
    assert votes(counts) == [7, 7, 6] and counts["total"] == 20
    # The storm is over: the settling reads the polls and finds nothing newer to send.
    assert coalescer.settle() == 0
    closed = close(host, polls[0])
    assert votes(closed["poll"]) == [7, 7, 6]
    assert [p["status"] for p in events(watcher, "poll")] == ["closed"]
    assert coalescer.flush() == 0
