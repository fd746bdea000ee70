"""Clock events through the Socket.IO test client, with the injected clock: no sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from networkfest import jobs
from networkfest.clock import SettableClock, to_epoch_ms
from networkfest.extensions import db

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
NS = "/live"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture
def host(factory: Any) -> Any:
    return factory.user()


@pytest.fixture
def bingo(factory: Any, host: Any) -> SimpleNamespace:
    """Plain values: live events end their database session, which detaches ORM objects."""
    festival = factory.festival()
    session = factory.session(
        festival,
        starts_at=START,
        minutes=45,
        agenda=[("Welcome", 5), ("Bingo", 25), ("Questions", 15)],
        hosts=[host],
    )
    return SimpleNamespace(id=session.id, slug=session.slug)


def clocks(sio: Any) -> list[dict[str, Any]]:
    return [m["args"][0] for m in sio.get_received(NS) if m["name"] == "clock"]


def test_clock_sync_answers_the_servers_instant(socket_client: Any, clock: SettableClock) -> None:
    sio = socket_client()
    ack = sio.emit("clock_sync", {"t0": 1_700_000_000_123}, namespace=NS, callback=True)
    assert ack == {"ok": True, "t0": 1_700_000_000_123, "server": to_epoch_ms(clock.now())}


@pytest.mark.parametrize("payload", [None, {}, {"t0": "now"}, {"t0": -1}, {"t0": True}, [1]])
def test_clock_sync_refuses_nonsense(socket_client: Any, payload: Any) -> None:
    ack = socket_client().emit("clock_sync", payload, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"


def test_a_host_moves_the_run_sheet_and_the_room_hears_it(
    socket_client: Any, clock: SettableClock, host: Any, bingo: Any, factory: Any
) -> None:
    clock.set(at(3))
    watcher = socket_client(factory.user())
    assert watcher.emit("join", {"session": bingo.slug}, namespace=NS, callback=True)["ok"]
    watcher.get_received(NS)
    sio = socket_client(host)
    ack = sio.emit("agenda_next", {"session": bingo.slug}, namespace=NS, callback=True)
    assert ack["ok"] is True
    assert ack["clock"]["item"]["index"] == 1
    assert ack["clock"]["item"]["starts_at"] == to_epoch_ms(at(3))
    assert clocks(watcher) == [ack["clock"]]


def test_an_organiser_may_move_any_session(
    socket_client: Any, clock: SettableClock, bingo: Any, factory: Any
) -> None:
    clock.set(at(10))
    ack = socket_client(factory.organiser()).emit(
        "agenda_next", {"session": bingo.slug}, namespace=NS, callback=True
    )
    assert ack["ok"] and ack["clock"]["item"]["index"] == 2


def test_attendees_and_visitors_may_not_move_the_run_sheet(
    socket_client: Any, clock: SettableClock, bingo: Any, factory: Any
) -> None:
    clock.set(at(10))
    ack = socket_client(factory.user()).emit(
        "agenda_next", {"session": bingo.slug}, namespace=NS, callback=True
    )
    assert ack["error"]["code"] == "forbidden"
    ack = socket_client().emit("agenda_next", {"session": bingo.slug}, namespace=NS, callback=True)
    assert ack["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("minutes", [-5, 45, 90])
def test_agenda_next_outside_live_is_refused(
    socket_client: Any, clock: SettableClock, host: Any, bingo: Any, minutes: int
) -> None:
    clock.set(at(minutes))
    ack = socket_client(host).emit(
        "agenda_next", {"session": bingo.slug}, namespace=NS, callback=True
    )
    assert ack["error"]["code"] == "not_live"


def test_agenda_next_past_the_last_item_is_invalid(
    socket_client: Any, clock: SettableClock, host: Any, bingo: Any
) -> None:
    clock.set(at(31))
    ack = socket_client(host).emit(
        "agenda_next", {"session": bingo.slug}, namespace=NS, callback=True
    )
    assert ack["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"session": "nope"}, "not_found"),
        ({}, "invalid"),
        (None, "invalid"),
        ({"session": 3}, "invalid"),
    ],
)
def test_agenda_next_bad_payloads(
    socket_client: Any, clock: SettableClock, host: Any, bingo: Any, payload: Any, code: str
) -> None:
    clock.set(at(10))
    ack = socket_client(host).emit("agenda_next", payload, namespace=NS, callback=True)
    assert ack["error"]["code"] == code


def test_the_job_runner_announces_phase_changes_and_warnings_to_the_room(
    app: Any, socket_client: Any, clock: SettableClock, bingo: Any
) -> None:
    clock.set(at(-12))
    sio = socket_client()
    join = sio.emit("join", {"session": bingo.slug}, namespace=NS, callback=True)
    assert join["ok"] and join["state"]["clock"]["phase"] == "scheduled"
    sio.get_received(NS)
    seen: list[tuple[str, str | None]] = []
    db.session.commit()  # the runner works in its own app context: leave SQLite's write lock free
    for minutes in (-12, -10, 0, 5, 40, 44, 45):
        clock.set(at(minutes))
        jobs.tick(app, clock)
        seen += [(c["phase"], (c["warning"] or {}).get("kind")) for c in clocks(sio)]
    assert seen == [
        ("lobby", None),
        ("live", None),
        ("live", None),
        ("live", "warning:5"),
        ("live", "warning:1"),
        ("ended", None),
    ]


def test_ask_and_vote_are_refused_after_the_end(
    socket_client: Any, clock: SettableClock, bingo: Any, factory: Any
) -> None:
    """The hard stop reaches Q&A: the live helper's handlers ask `session_phase`."""
    organiser = factory.organiser()
    clock.set(at(10))
    sio = socket_client(organiser)
    sio.emit("join", {"session": bingo.slug}, namespace=NS, callback=True)
    asked = sio.emit(
        "ask", {"session": bingo.slug, "text": "Before the end?"}, namespace=NS, callback=True
    )
    assert asked["ok"], asked
    clock.set(at(45))
    late = sio.emit("ask", {"session": bingo.slug, "text": "After?"}, namespace=NS, callback=True)
    assert late["error"]["code"] == "not_live"
    vote = sio.emit(
        "vote", {"question": asked["question"]["id"], "value": 1}, namespace=NS, callback=True
    )
    assert vote["error"]["code"] == "not_live"
    moved = sio.emit("agenda_next", {"session": bingo.slug}, namespace=NS, callback=True)
    assert moved["error"]["code"] == "not_live"
    db.session.remove()
