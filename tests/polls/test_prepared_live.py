"""A published change to a session's prepared polls reaches its hosts' open pages at once: a
`prepared_polls` event `{session, polls}` to the session's hosts room while the room is open
(lobby or live), through the Socket.IO test client. The room never hears of prepared polls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from networkfest.clock import SettableClock
from networkfest.extensions import db
from networkfest.programme.queries import session_by_slug
from networkfest.programme.services import publish
from tests.live.helpers import Person, events, joined, person
from tests.polls.helpers import open_poll
from tests.programme.schedules import schedule, session

# Session "alpha" runs 10:00-10:30 in London on 21 September: 09:00-09:30 UTC, lobby from 08:50.
WEEKS_BEFORE = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
LOBBY = datetime(2026, 9, 21, 8, 55, tzinfo=UTC)
LIVE = datetime(2026, 9, 21, 9, 10, tzinfo=UTC)
ENDED = datetime(2026, 9, 21, 9, 45, tzinfo=UTC)

PITFALLS = (
    '{ question = "Which pitfall does your network have?", '
    'options = ["Unclear purpose", "Fizzling out"], multiple = true }'
)
METHOD = '{ question = "Written method?", options = ["Yes", "No"], results = "closed" }'
CHECK = '{ question = "Ready for the breakout?", options = ["Yes", "Not yet"] }'


def with_polls(*polls: str, title: str = "Alpha session") -> str:
    return schedule(session(title=title, extra=f"polls = [{', '.join(polls)}]"))


@pytest.fixture
def people(factory: Any) -> tuple[Person, Person]:
    """The file's host and a confirmed attendee, with the programme published weeks before."""
    host = person(factory.user(email="host@example.org", name="Hana Host"))
    assert publish(db.session, with_polls(PITFALLS, METHOD), WEEKS_BEFORE).version == 1
    alpha = session_by_slug(db.session, "alpha")
    attendee = factory.user(name="Ada Attendee")
    factory.registration(alpha, attendee, "confirmed", WEEKS_BEFORE)
    return host, person(attendee)


def in_room(socket_client: Any, *who: Person) -> list[Any]:
    clients = [socket_client(someone) for someone in who]
    for sio in clients:
        joined(sio, "alpha")
        sio.get_received("/live")
    return clients


def questions(event: dict[str, Any]) -> list[str]:
    return [poll["question"] for poll in event["polls"]]


def test_the_hosts_get_the_new_prepared_list_while_the_session_is_live(
    socket_client: Any, people: tuple[Person, Person], clock: SettableClock
) -> None:
    clock.set(LIVE)
    host, attendee = in_room(socket_client, *people)
    before = {p["question"]: p["id"] for p in joined(host, "alpha")["polls"]}
    host.get_received("/live")

    reworded = METHOD.replace("Written method?", "Do you have a written method?")
    assert publish(db.session, with_polls(PITFALLS, reworded, CHECK), LIVE).version == 2

    (told,) = events(host, "prepared_polls")
    assert told["session"] == "alpha"
    assert questions(told) == [
        "Which pitfall does your network have?",
        "Do you have a written method?",
        "Ready for the breakout?",
    ]
    assert all(p["status"] == "ready" and p["session"] == "alpha" for p in told["polls"])
    # A prepared poll keeps its id while it waits, reworded or not.
    assert [p["id"] for p in told["polls"][:2]] == list(before.values())
    assert told["polls"][1]["results"] == "closed" and told["polls"][1]["total"] == 0
    assert [o["text"] for o in told["polls"][2]["options"]] == ["Yes", "Not yet"]
    assert events(attendee, "prepared_polls") == [], "the room never hears of prepared polls"
    # The list is what a join now says.
    assert [p["question"] for p in joined(host, "alpha")["polls"]] == questions(told)


def test_an_open_poll_stays_open_when_the_file_rewords_it(
    socket_client: Any, people: tuple[Person, Person], clock: SettableClock
) -> None:
    clock.set(LIVE)
    (host,) = in_room(socket_client, people[0])
    first = joined(host, "alpha")["polls"][0]["id"]
    assert open_poll(host, "alpha", first)["ok"] is True
    host.get_received("/live")

    reworded = PITFALLS.replace("Fizzling out", "Fading away")
    publish(db.session, with_polls(reworded, METHOD), LIVE)

    (told,) = events(host, "prepared_polls")
    assert questions(told) == ["Written method?", "Which pitfall does your network have?"]
    assert [o["text"] for o in told["polls"][1]["options"]] == ["Unclear purpose", "Fading away"]
    assert first not in [p["id"] for p in told["polls"]]
    state = joined(host, "alpha")
    assert [(p["id"], p["status"]) for p in state["polls"] if p["status"] == "open"] == [
        (first, "open")
    ]


def test_removing_every_prepared_poll_in_the_lobby_empties_the_list(
    socket_client: Any, people: tuple[Person, Person], clock: SettableClock
) -> None:
    clock.set(LOBBY)
    (host,) = in_room(socket_client, people[0])
    publish(db.session, schedule(session()), LOBBY)
    assert events(host, "prepared_polls") == [{"session": "alpha", "polls": []}]


@pytest.mark.parametrize("when", [WEEKS_BEFORE, ENDED])
def test_no_one_is_told_while_the_room_is_not_open(
    socket_client: Any, people: tuple[Person, Person], clock: SettableClock, when: datetime
) -> None:
    clock.set(when)
    (host,) = in_room(socket_client, people[0])
    publish(db.session, with_polls(PITFALLS, METHOD, CHECK), when)
    assert events(host, "prepared_polls") == []
    assert [p["question"] for p in joined(host, "alpha")["polls"]][-1] == (
        "Ready for the breakout?"
    ), "the next join has it"


def test_a_publication_that_leaves_the_polls_alone_says_nothing_of_them(
    socket_client: Any, people: tuple[Person, Person], clock: SettableClock
) -> None:
    clock.set(LIVE)
    (host,) = in_room(socket_client, people[0])
    assert publish(db.session, with_polls(PITFALLS, METHOD, title="Alpha, retitled"), LIVE).version
    assert events(host, "prepared_polls") == []
