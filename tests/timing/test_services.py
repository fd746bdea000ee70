"""The clock's services on a real database: state, agenda moves, exactly-once announcements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from networkfest import create_app
from networkfest.clock import to_epoch_ms
from networkfest.extensions import db
from networkfest.realtime.protocol import ProtocolError
from networkfest.timing import services
from networkfest.timing.models import AgendaMove, Announcement

START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


class Recorder:
    """An `emit` that remembers what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []

    def __call__(self, session_id: int, payload: dict[str, Any]) -> None:
        self.sent.append((session_id, payload))


@pytest.fixture
def bingo(factory: Any, festival: Any) -> Any:
    return factory.session(
        festival,
        starts_at=START,
        minutes=45,
        agenda=[("Welcome", 5), ("Bingo", 25), ("Questions", 15)],
        hosts=[factory.user()],
    )


def test_clock_state_is_the_designs_clock_object(bingo: Any) -> None:
    state = services.clock_state(db.session, bingo, at(12))
    assert state == {
        "session": bingo.slug,
        "phase": "live",
        "server_now": to_epoch_ms(at(12)),
        "starts_at": to_epoch_ms(START),
        "ends_at": to_epoch_ms(at(45)),
        "item": {
            "index": 1,
            "title": "Bingo",
            "starts_at": to_epoch_ms(at(5)),
            "ends_at": to_epoch_ms(at(30)),
            "count": 3,
        },
        "warning": None,
        "behind_ms": 0,
    }
    lobby = services.clock_state(db.session, bingo, at(-3))
    assert lobby["phase"] == "lobby" and lobby["item"] is None
    warned = services.clock_state(db.session, bingo, at(41))
    assert warned["warning"] == {"kind": "warning:5", "at": to_epoch_ms(at(40))}
    assert services.session_phase(bingo, at(45)) == "ended"


@pytest.mark.parametrize("reached", [26, 33], ids=["early", "late"])
def test_the_last_items_clock_runs_to_the_hard_stop(bingo: Any, reached: int) -> None:
    """Reached early, the room does not see it "over its timebox"; reached late, it does not
    see time left past the hard stop."""
    db.session.add_all(
        [
            AgendaMove(session_id=bingo.id, item_index=i, started_at=at(m))
            for i, m in ((1, 3), (2, reached))
        ]
    )
    db.session.commit()
    item = services.clock_state(db.session, bingo, at(42))["item"]
    assert item["index"] == 2 and item["starts_at"] == to_epoch_ms(at(reached))
    assert item["ends_at"] == to_epoch_ms(at(45))


def test_require_live_is_the_hard_stop(bingo: Any) -> None:
    services.require_live(bingo, at(0))
    for instant in (at(-1), at(45), at(46)):
        with pytest.raises(ProtocolError) as error:
            services.require_live(bingo, instant)
        assert error.value.code == "not_live"


def test_agenda_next_moves_once_per_item_and_refuses_past_the_last(bingo: Any) -> None:
    host = bingo.hosts[0]
    state = services.agenda_next(db.session, bingo, host.id, at(3))
    assert state["item"]["index"] == 1 and state["behind_ms"] == -2 * 60_000
    state = services.agenda_next(db.session, bingo, host.id, at(30))
    assert state["item"]["index"] == 2
    with pytest.raises(ProtocolError) as error:
        services.agenda_next(db.session, bingo, host.id, at(31))
    assert error.value.code == "invalid"
    moves = db.session.scalars(select(AgendaMove).order_by(AgendaMove.item_index)).all()
    assert [(m.item_index, m.started_at, m.by_user_id) for m in moves] == [
        (1, at(3), host.id),
        (2, at(30), host.id),
    ]


def test_agenda_next_outside_live_is_refused(bingo: Any) -> None:
    for instant in (at(-2), at(45)):
        with pytest.raises(ProtocolError) as error:
            services.agenda_next(db.session, bingo, None, instant)
        assert error.value.code == "not_live"
    assert db.session.scalar(select(func.count(AgendaMove.id))) == 0


def test_two_hosts_clicking_at_once_move_once(
    app: Flask, app_settings: dict[str, Any], bingo: Any
) -> None:
    bingo_id = bingo.id
    db.session.commit()
    other = create_app(app_settings)
    try:
        with other.app_context():
            # The other process's host pressed "Next item" first.
            services.agenda_next(db.session, db.session.get(type(bingo), bingo_id), None, at(3))
            db.session.remove()
        # This host pressed at the same moment but got there second: the same move, not another.
        state = services.clock_state(db.session, bingo, at(3))
        assert state["item"]["index"] == 1
        assert db.session.scalar(select(func.count(AgendaMove.id))) == 1
    finally:
        with other.app_context():
            db.engine.dispose()


def test_a_duplicate_move_is_absorbed_by_the_unique_constraint(
    bingo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.session.add(AgendaMove(session_id=bingo.id, item_index=1, started_at=at(3)))
    db.session.commit()
    # A host whose view predates that move: it also computes "next is item 1".
    real = services.run_sheet
    monkeypatch.setattr(services, "run_sheet", lambda d, s, n: real(d, s, at(2)))
    state = services.agenda_next(db.session, bingo, None, at(4))
    assert state["item"]["index"] == 1
    assert state["item"]["starts_at"] == to_epoch_ms(at(3))
    assert db.session.scalar(select(func.count(AgendaMove.id))) == 1


def test_announce_due_emits_each_moment_once(bingo: Any) -> None:
    emit = Recorder()
    assert services.announce_due(db.session, at(-11), emit) == []
    made = services.announce_due(db.session, at(-10), emit)
    assert [(a.kind, a.due_at) for a in made] == [("phase:lobby", at(-10))]
    assert emit.sent[0][0] == bingo.id and emit.sent[0][1]["phase"] == "lobby"
    assert services.announce_due(db.session, at(-5), emit) == []
    assert len(emit.sent) == 1
    for instant, kind in [
        (at(0), "phase:live"),
        (at(5), "item_end:0"),
        (at(40), "warning:5"),
        (at(44), "warning:1"),
        (at(45), "phase:ended"),
    ]:
        made = services.announce_due(db.session, instant, emit)
        assert [a.kind for a in made] == [kind]
    assert [p["phase"] for _, p in emit.sent] == ["lobby", "live", "live", "live", "live", "ended"]
    assert emit.sent[3][1]["warning"] == {"kind": "warning:5", "at": to_epoch_ms(at(40))}
    assert (
        services.announce_due(
            db.session,
            at(
                45,
            )
            + MIN,
            emit,
        )
        == []
    )
    assert db.session.scalar(select(func.count(Announcement.id))) == 6


def test_a_late_process_announces_only_the_latest_due(bingo: Any) -> None:
    """Down from before the lobby until minute 41: it announces warning:5 alone, not the past."""
    emit = Recorder()
    made = services.announce_due(db.session, at(41), emit)
    assert [(a.kind, a.due_at) for a in made] == [("warning:5", at(40))]
    assert emit.sent[0][1]["server_now"] == to_epoch_ms(at(41))


def test_a_long_finished_session_is_not_announced(bingo: Any) -> None:
    emit = Recorder()
    assert services.announce_due(db.session, at(47), emit) == []
    assert (
        services.announce_due(db.session, at(45) + services.ENDED_GRACE, emit)[0].kind
        == "phase:ended"
    )


def test_cancelled_sessions_are_not_announced(factory: Any, festival: Any) -> None:
    factory.session(festival, starts_at=START, status="cancelled")
    assert services.announce_due(db.session, at(1), Recorder()) == []


def test_exactly_once_with_two_app_instances_sharing_one_database(
    app: Flask, app_settings: dict[str, Any], bingo: Any
) -> None:
    second = create_app(app_settings)
    here, there = Recorder(), Recorder()
    try:
        for instant in (at(-10), at(0), at(5), at(30), at(40), at(44), at(45)):
            services.announce_due(db.session, instant, here)
            with second.app_context():
                services.announce_due(db.session, instant, there)
                db.session.remove()
        kinds = [p["phase"] for _, p in here.sent + there.sent]
        assert len(kinds) == 7
        assert there.sent == []
        # and the other way round: whoever is first wins
        later = at(60 * 24)
        assert services.announce_due(db.session, later, here) == []
    finally:
        with second.app_context():
            db.engine.dispose()


def test_the_unique_claim_decides_when_both_pass_the_read(
    app: Flask, app_settings: dict[str, Any], bingo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both processes read "not claimed" at once; the INSERT's unique constraint picks one."""
    monkeypatch.setattr(services, "_claimed", lambda *args: False)
    second = create_app(app_settings)
    here, there = Recorder(), Recorder()
    try:
        with second.app_context():
            assert [a.kind for a in services.announce_due(db.session, at(0), there)] == [
                "phase:live"
            ]
            db.session.remove()
        assert services.announce_due(db.session, at(0), here) == []
        assert len(there.sent) == 1 and here.sent == []
        assert db.session.scalar(select(func.count(Announcement.id))) == 1
    finally:
        with second.app_context():
            db.engine.dispose()


def test_a_restart_in_the_middle_of_a_session_announces_only_the_rest(
    app: Flask, app_settings: dict[str, Any], bingo: Any
) -> None:
    before = Recorder()
    for instant in (at(-10), at(0), at(5)):
        services.announce_due(db.session, instant, before)
    db.session.remove()
    restarted = create_app(app_settings)
    after = Recorder()
    try:
        with restarted.app_context():
            for instant in (at(5), at(12), at(30), at(40), at(44), at(45)):
                services.announce_due(db.session, instant, after)
            db.session.remove()
        assert len(before.sent) == 3
        assert [p["item"]["index"] if p["item"] else p["phase"] for _, p in after.sent] == [
            2,
            2,
            2,
            "ended",
        ]
    finally:
        with restarted.app_context():
            db.engine.dispose()


def test_a_move_re_derives_the_item_end_and_it_is_announced(bingo: Any) -> None:
    emit = Recorder()
    services.announce_due(db.session, at(0), emit)
    services.agenda_next(db.session, bingo, None, at(3))
    assert services.next_due_instant(db.session, at(3)) == at(28)
    made = services.announce_due(db.session, at(28), emit)
    assert [(a.kind, a.due_at) for a in made] == [("item_end:1", at(28))]
    assert emit.sent[-1][1]["warning"] == {"kind": "item_end:1", "at": to_epoch_ms(at(28))}


def test_a_session_moved_by_a_new_version_is_announced_at_its_new_time(bingo: Any) -> None:
    emit = Recorder()
    services.announce_due(db.session, at(-10), emit)
    bingo.starts_at, bingo.ends_at = at(60), at(105)
    db.session.commit()
    assert services.announce_due(db.session, at(0), emit) == []
    assert services.next_due_instant(db.session, at(0)) == at(50)
    assert [a.kind for a in services.announce_due(db.session, at(50), emit)] == ["phase:lobby"]
    assert len(emit.sent) == 2


def test_next_due_instant(factory: Any, festival: Any, bingo: Any) -> None:
    assert services.next_due_instant(db.session, at(-120)) is None  # beyond the lookahead
    assert services.next_due_instant(db.session, at(-30)) == at(-10)
    assert services.next_due_instant(db.session, at(-10)) == at(0)
    assert services.next_due_instant(db.session, at(44)) == at(45)
    assert services.next_due_instant(db.session, at(45)) is None
    factory.session(festival, starts_at=at(20), minutes=60, agenda=[])
    assert services.next_due_instant(db.session, at(6)) == at(10)


def test_punctuality_report(factory: Any, festival: Any, bingo: Any) -> None:
    later = factory.session(festival, starts_at=at(120), minutes=30, agenda=[("All", 30)])
    db.session.add_all(
        [
            AgendaMove(session_id=bingo.id, item_index=1, started_at=at(9)),
            AgendaMove(session_id=bingo.id, item_index=2, started_at=at(40)),
        ]
    )
    db.session.commit()
    rows = services.punctuality_report(db.session, festival, at(60))
    assert [r.session.slug for r in rows] == [bingo.slug, later.slug]
    first, second = rows
    assert first.ended and not second.ended
    # No host stay: the first move (to item 1 at minute 9, after a 5-minute item) dates the
    # start at minute 4, so item 0 kept its timebox and item 1 overran.
    assert first.overran_items == 1 and not first.ended_on_time and first.started_late_s == 240
    assert second.verdict == "not_yet"
    assert (second.started_late_s, second.overran_items, second.ended_on_time) == (None,) * 3
