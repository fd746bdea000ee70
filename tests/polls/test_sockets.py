"""The poll events of the live protocol through Flask-SocketIO's test client: opening,
answering and closing, who sees what, the join snapshot, a race with a close, the hard stop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from networkfest import jobs
from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.polls import services
from networkfest.polls.models import Poll, PollChoice
from networkfest.programme.models import FestivalSession
from tests.factories import DURING, SESSION_START
from tests.live.helpers import AFTER, LOBBY, Room, emit, error_code, events, joined
from tests.polls.helpers import answer, close, open_poll, prepare, votes

END = SESSION_START + timedelta(minutes=45)


@pytest.fixture
def polls(room: Room) -> list[int]:
    return prepare(room.session_id)


def test_a_host_opens_people_answer_and_the_host_closes(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    host, attendee, other, watcher = (
        socket_client(room.host),
        socket_client(room.attendee),
        socket_client(room.other),
        socket_client(),
    )
    for sio in (host, attendee, other, watcher):
        joined(sio, room.slug)
        sio.get_received("/live")
    opened = open_poll(host, room.slug, polls[0])
    assert opened["ok"] is True, opened
    poll = opened["poll"]
    assert poll["status"] == "open" and poll["multiple"] is True and poll["total"] == 0
    assert [o["id"] for o in poll["options"]] == [1, 2, 3] and votes(poll) == [0, 0, 0]
    assert [p["status"] for p in events(watcher, "poll")] == ["open"]

    first = answer(attendee, polls[0], 1, 3)
    assert first["ok"] is True and votes(first["poll"]) == [1, 0, 1]
    assert answer(other, polls[0], 3)["poll"]["total"] == 2
    # One answer per person, changeable while open.
    changed = answer(attendee, polls[0], 2)
    assert votes(changed["poll"]) == [0, 1, 1] and changed["poll"]["total"] == 2
    assert votes(events(watcher, "poll")[-1]) == [0, 1, 1]

    closed = close(host, polls[0])
    assert closed["ok"] is True and closed["poll"]["status"] == "closed"
    assert votes(closed["poll"]) == [0, 1, 1]
    assert events(watcher, "poll")[-1]["status"] == "closed"
    assert error_code(answer(other, polls[0], 1)) == "invalid"
    # Closing again answers the poll as it is; a poll runs once.
    assert close(host, polls[0])["poll"]["status"] == "closed"
    assert error_code(open_poll(host, room.slug, polls[0])) == "invalid"


def test_the_join_snapshot_carries_polls_and_my_choices(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    host, attendee = socket_client(room.host), socket_client(room.attendee)
    assert [p["status"] for p in joined(host, room.slug)["polls"]] == ["ready", "ready"]
    state = joined(attendee, room.slug)
    assert state["polls"] == [] and state["my_choices"] == {}
    open_poll(host, room.slug, polls[0])
    answer(attendee, polls[0], 1, 2)
    # A reconnect gets the same state.
    again = joined(socket_client(room.attendee), room.slug)
    assert [p["id"] for p in again["polls"]] == [polls[0]]
    assert again["my_choices"] == {str(polls[0]): [1, 2]}
    assert joined(socket_client(), room.slug)["my_choices"] == {}


def test_hidden_results_reach_only_the_hosts_until_the_close(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    host, attendee, organiser = (
        socket_client(room.host),
        socket_client(room.attendee),
        socket_client(room.organiser),
    )
    for sio in (host, attendee, organiser):
        joined(sio, room.slug)
    open_poll(host, room.slug, polls[1])
    attendee.get_received("/live")
    host.get_received("/live")
    mine = answer(attendee, polls[1], 1)
    assert votes(mine["poll"]) == [None, None] and mine["poll"]["total"] == 1
    assert votes(answer(organiser, polls[1], 2)["poll"]) == [1, 1]
    assert {tuple(votes(p)) for p in events(attendee, "poll")} == {(None, None)}
    assert votes(events(host, "poll")[-1]) == [1, 1]
    assert votes(joined(socket_client(room.other), room.slug)["polls"][0]) == [None, None]
    close(host, polls[1])
    assert votes(events(attendee, "poll")[-1]) == [1, 1]


def test_one_open_poll_per_room_and_polls_written_on_the_spot(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    host = socket_client(room.host)
    assert open_poll(host, room.slug, polls[0])["ok"] is True
    # Opening the open one again (a retry) answers it as it is.
    assert open_poll(host, room.slug, polls[0])["poll"]["status"] == "open"
    assert error_code(open_poll(host, room.slug, polls[1])) == "invalid"
    written = {"session": room.slug, "question": "Ready to move on?", "options": ["Yes", "No"]}
    assert error_code(emit(host, "poll_open", written)) == "invalid"
    close(host, polls[0])
    spot = emit(host, "poll_open", {**written, "multiple": False, "results": "closed"})
    assert spot["ok"] is True, spot
    assert spot["poll"]["question"] == "Ready to move on?" and spot["poll"]["results"] == "closed"
    assert spot["poll"]["status"] == "open"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"question": "x" * 201, "options": ["A", "B"]}, "too_long"),
        ({"question": "x" * 2000, "options": ["A", "B"]}, "too_long"),
        ({"question": "Which?", "options": ["A"]}, "invalid"),
        ({"question": "Which?", "options": ["A", "a"]}, "invalid"),
        ({"question": "Which?", "options": ["A", "B"], "results": "never"}, "invalid"),
        ({"question": "Which?", "options": ["A", "B"], "multiple": "yes"}, "invalid"),
        ({"question": "Which?"}, "invalid"),
        ({"poll": "1"}, "invalid"),
        ({"poll": 2**40}, "not_found"),
    ],
)
def test_poll_open_validates(
    socket_client: Any, room: Room, clock: SettableClock, payload: dict[str, Any], code: str
) -> None:
    clock.set(DURING)
    ack = emit(socket_client(room.host), "poll_open", {"session": room.slug, **payload})
    assert error_code(ack) == code


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"question": "", "options": []},
            "Write the poll's question. Give 2 to 10 options, one per line.",
        ),
        ({"question": "Which?", "options": ["A"]}, "Give 2 to 10 options, one per line."),
        (
            {"question": "Which?", "options": ["A", "A"]},
            "'A' is listed twice: give each option once.",
        ),
    ],
)
def test_a_written_poll_is_refused_in_words_for_the_host(
    socket_client: Any, room: Room, clock: SettableClock, payload: dict[str, Any], message: str
) -> None:
    """What the "Write a poll" form shows the host: the form sends its options one per line
    as a list, with `multiple` and `results` from its checkboxes."""
    clock.set(DURING)
    ack = emit(
        socket_client(room.host),
        "poll_open",
        {"session": room.slug, "multiple": False, "results": "live", **payload},
    )
    assert error_code(ack) == "invalid"
    assert ack["error"]["message"] == message


def test_a_prepared_poll_of_another_session_is_not_found(
    socket_client: Any, room: Room, factory: Any, clock: SettableClock
) -> None:
    festival_session = db.session.get(FestivalSession, room.session_id)
    assert festival_session is not None
    elsewhere = factory.session(festival_session.festival, slug="third")
    foreign = prepare(elsewhere.id)
    clock.set(DURING)
    assert error_code(open_poll(socket_client(room.host), room.slug, foreign[0])) == "not_found"


def test_who_may_open_answer_and_close(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    attendee, watcher, outsider = (
        socket_client(room.attendee),
        socket_client(),
        socket_client(room.outsider_host),
    )
    assert error_code(open_poll(attendee, room.slug, polls[0])) == "forbidden"
    assert error_code(open_poll(watcher, room.slug, polls[0])) == "unauthenticated"
    assert error_code(open_poll(outsider, room.slug, polls[0])) == "forbidden"
    open_poll(socket_client(room.organiser), room.slug, polls[0])
    assert error_code(answer(watcher, polls[0], 1)) == "unauthenticated"
    assert error_code(answer(outsider, polls[0], 1)) == "forbidden"
    assert error_code(close(attendee, polls[0])) == "forbidden"
    # A prepared poll not yet opened is not there for attendees.
    assert error_code(answer(attendee, polls[1], 1)) == "not_found"
    assert error_code(answer(attendee, 999_999, 1)) == "not_found"


def test_answers_are_checked(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    open_poll(socket_client(room.host), room.slug, polls[0])
    attendee = socket_client(room.attendee)
    for choices in ([], [0], [4], [1, 1], ["1"], None, list(range(1, 12))):
        ack = emit(attendee, "poll_answer", {"poll": polls[0], "choices": choices})
        assert error_code(ack) == "invalid", choices
    assert db.session.scalar(select(PollChoice.option)) is None


def test_polls_only_while_live(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    host = socket_client(room.host)
    for instant in (LOBBY, AFTER):
        clock.set(instant)
        assert error_code(open_poll(host, room.slug, polls[0])) == "not_live"
    clock.set(DURING)
    open_poll(host, room.slug, polls[0])
    clock.set(END)
    assert error_code(answer(socket_client(room.attendee), polls[0], 1)) == "not_live"


def test_an_answer_racing_a_close_is_counted_or_refused_never_lost(
    app: Flask,
    socket_client: Any,
    room: Room,
    polls: list[int],
    clock: SettableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer has passed every check when the host's close commits: its claim on the row
    finds the poll closed, so it is refused and writes nothing; the closed counts stand."""
    clock.set(DURING)
    host, attendee, other = (
        socket_client(room.host),
        socket_client(room.attendee),
        socket_client(room.other),
    )
    open_poll(host, room.slug, polls[0])
    answer(other, polls[0], 1)
    real_clean = services.rules.clean_choices
    closed: list[dict[str, Any]] = []

    def close_meanwhile(*args: Any) -> Any:
        # The host's close runs in its own app context, as another connection would.
        if not closed:
            db.session.commit()
            with app.app_context():
                closed.append(close(host, polls[0]))
        return real_clean(*args)

    monkeypatch.setattr(services.rules, "clean_choices", close_meanwhile)
    late = answer(attendee, polls[0], 2)
    assert closed[0]["ok"] is True and votes(closed[0]["poll"]) == [1, 0, 0]
    assert error_code(late) == "invalid" and "closed" in late["error"]["message"]
    db.session.rollback()
    people = db.session.scalars(select(PollChoice.user_id).where(PollChoice.poll_id == polls[0]))
    assert list(people) == [room.other.id]


def test_an_answer_before_the_close_is_in_the_closed_counts(
    socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    host = socket_client(room.host)
    open_poll(host, room.slug, polls[0])
    assert answer(socket_client(room.attendee), polls[0], 2)["ok"] is True
    assert votes(close(host, polls[0])["poll"]) == [0, 1, 0]


def test_every_open_poll_closes_at_the_hard_stop_once(
    app: Flask, socket_client: Any, room: Room, polls: list[int], clock: SettableClock
) -> None:
    clock.set(DURING)
    host, watcher = socket_client(room.host), socket_client()
    joined(watcher, room.slug)
    open_poll(host, room.slug, polls[0])
    answer(socket_client(room.attendee), polls[0], 1)
    watcher.get_received("/live")
    db.session.commit()  # the runner works in its own app context
    clock.set(END - timedelta(seconds=1))
    wait = jobs.tick(app, clock)
    assert wait <= timedelta(seconds=1) + jobs.SETTLE
    assert events(watcher, "poll") == []
    clock.set(END)
    jobs.tick(app, clock)
    (final,) = events(watcher, "poll")
    assert final["status"] == "closed" and votes(final) == [1, 0, 0]
    # Another round (or another process) finds nothing left to claim.
    jobs.tick(app, clock)
    assert events(watcher, "poll") == []
    poll = db.session.get(Poll, polls[0])
    assert poll is not None and poll.status == "closed" and poll.closed_at == END
    assert poll.open_in_session is None


def test_the_close_claim_is_won_once(room: Room, polls: list[int], app: Flask) -> None:
    """Two processes at the hard stop: the conditional UPDATE lets only one announce."""
    poll = db.session.get(Poll, polls[0])
    assert poll is not None
    poll.status, poll.open_in_session = "open", room.session_id
    db.session.commit()
    assert [v.id for v in services.close_at_hard_stop(db.session, END)] == [polls[0]]
    assert services.close_at_hard_stop(db.session, END) == []
    assert services.next_hard_stop(db.session, END) is None
