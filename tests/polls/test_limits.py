"""Poll events have their own per-person rate limits (`realtime.ratelimit.DEFAULT_LIMITS`): a
host running polls and a person changing their mind stay under them, a script does not, and
what is refused `rate_limited` is not written."""

from __future__ import annotations

from typing import Any

from networkfest.clock import SettableClock
from networkfest.realtime.ratelimit import DEFAULT_LIMITS
from tests.factories import DURING
from tests.live.helpers import Room, emit, error_code
from tests.polls.helpers import answer, close, open_poll, prepare, votes

ANSWERS_A_MINUTE = 30
OPENS_A_MINUTE = 20


def test_the_poll_events_have_their_own_limits() -> None:
    assert DEFAULT_LIMITS["poll_answer"] == f"{ANSWERS_A_MINUTE} per minute"
    assert DEFAULT_LIMITS["poll_open"] == f"{OPENS_A_MINUTE} per minute"
    assert DEFAULT_LIMITS["poll_close"] == f"{OPENS_A_MINUTE} per minute"


def test_a_person_changing_their_mind_is_answered_a_script_is_refused(
    socket_client: Any, room: Room, clock: SettableClock
) -> None:
    polls = prepare(room.session_id)
    clock.set(DURING)
    open_poll(socket_client(room.host), room.slug, polls[0])
    attendee, other = socket_client(room.attendee), socket_client(room.attendee)
    # One person's connections count together: a second tab is no way round the limit.
    for turn in range(ANSWERS_A_MINUTE):
        ack = answer(attendee if turn % 2 else other, polls[0], 1 + turn % 3)
        assert ack["ok"] is True, (turn, ack)
    assert votes(ack["poll"]) == [0, 0, 1]
    refused = answer(attendee, polls[0], 1)
    assert error_code(refused) == "rate_limited"
    # Not written: the next person's answer shows the count as the last accepted one left it.
    assert votes(answer(socket_client(room.other), polls[0], 1)["poll"]) == [1, 0, 1]


def test_a_host_opening_and_closing_in_a_loop_is_refused(
    socket_client: Any, room: Room, clock: SettableClock
) -> None:
    clock.set(DURING)
    host = socket_client(room.host)
    written = {"session": room.slug, "question": "Again?", "options": ["Yes", "No"]}
    for turn in range(OPENS_A_MINUTE):
        opened = emit(host, "poll_open", written)
        assert opened["ok"] is True, (turn, opened)
        assert close(host, opened["poll"]["id"])["ok"] is True
    assert error_code(emit(host, "poll_open", written)) == "rate_limited"
    assert error_code(close(host, opened["poll"]["id"])) == "rate_limited"
    # Someone else's count is their own: an organiser can still run a poll.
    assert emit(socket_client(room.organiser), "poll_open", written)["ok"] is True
