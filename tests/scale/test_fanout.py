"""The coalescer: the latest payload per room and key, at most once per interval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from networkfest import fanout
from networkfest.fanout import Coalescer, run_flush_loop

Sent = list[tuple[str, dict[str, Any], str]]


def recorder() -> tuple[Sent, Callable[[str, dict[str, Any], str], None]]:
    sent: Sent = []

    def emit(event: str, payload: dict[str, Any], room: str) -> None:
        sent.append((event, payload, room))

    return sent, emit


def question(votes: int, status: str = "visible") -> dict[str, Any]:
    return {"id": 7, "session": "keynote", "votes": votes, "status": status}


def test_a_storm_of_votes_becomes_one_event_with_the_final_count() -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    starts = [coalescer.offer("question", question(n), "session:1", 7) for n in range(1, 2001)]
    assert starts.count(True) == 1
    assert coalescer.flush() == 1
    assert sent == [("question", question(2000), "session:1")]
    assert (coalescer.offered, coalescer.emitted) == (2000, 1)


def test_rooms_and_keys_are_kept_apart() -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    coalescer.offer("question", question(1), "session:1", 7)
    coalescer.offer("question", question(1), "session:1:hosts", 7)
    coalescer.offer("question", {"id": 8, "votes": 3}, "session:1", 8)
    coalescer.offer("question", question(2), "session:1", 7)
    assert coalescer.flush() == 3
    assert ("question", question(2), "session:1") in sent
    assert ("question", question(1), "session:1:hosts") in sent
    assert ("question", {"id": 8, "votes": 3}, "session:1") in sent


def test_send_now_is_never_overtaken_by_an_older_pending_payload() -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    coalescer.offer("question", question(5), "session:1", 7)
    coalescer.send_now("question", question(5, status="answered"), "session:1", 7)
    assert coalescer.flush() == 0
    assert sent == [("question", question(5, status="answered"), "session:1")]


def test_an_offer_older_than_one_pending_is_dropped() -> None:
    """Vote handlers finish in any order: the count committed last wins, not the last offer."""
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    coalescer.offer("question", question(2000), "session:1", 7, version=2000)
    coalescer.offer("question", question(1999), "session:1", 7, version=1999)
    assert coalescer.flush() == 1
    assert sent == [("question", question(2000), "session:1")]


def test_nothing_older_than_what_was_sent_goes_out() -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    coalescer.send_now("question", question(3, status="hidden"), "session:1", 7, version=4)
    # A vote that read the question before it was hidden, and finished after.
    coalescer.offer("question", question(3), "session:1", 7, version=3)
    coalescer.send_now("question", question(3), "session:1", 7, version=3)
    assert coalescer.flush() == 0
    coalescer.offer("question", question(4, status="hidden"), "session:1", 7, version=5)
    assert coalescer.flush() == 1
    assert sent == [
        ("question", question(3, status="hidden"), "session:1"),
        ("question", question(4, status="hidden"), "session:1"),
    ]


def test_settling_sends_the_state_now_where_it_is_newer_than_what_was_sent() -> None:
    """After a storm, what this process flushed may be older than what another process's
    voters committed: the loop reads the flushed keys again and sends what changed."""
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    asked: list[list[Any]] = []

    def now(keys: list[Any]) -> list[tuple[dict[str, Any], str, Any, int | None]]:
        asked.append(keys)
        return [
            (question(2000), "session:1", 7, 2000),
            (question(1990), "session:1:hosts", 7, 1990),
        ]

    coalescer.refreshers["question"] = now
    coalescer.offer("question", question(1990), "session:1", 7, version=1990)
    coalescer.offer("question", question(1990), "session:1:hosts", 7, version=1990)
    coalescer.offer("presence", {"count": 3}, "session:1", "count")
    assert coalescer.flush() == 3
    # The hosts' copy is what was sent already; the room's is newer.
    assert coalescer.settle() == 1
    assert asked == [[7]]
    assert sent[-1] == ("question", question(2000), "session:1")
    # Nothing flushed since: nothing to read.
    assert coalescer.settle() == 0
    assert asked == [[7]]


def test_a_settled_state_older_than_one_already_sent_is_dropped() -> None:
    """Read just before a moderation committed, and due out just after its broadcast."""
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    coalescer.refreshers["question"] = lambda keys: [(question(5), "session:1", 7, 5)]
    coalescer.offer("question", question(5), "session:1", 7, version=5)
    assert coalescer.flush() == 1
    coalescer.send_now("question", question(5, status="hidden"), "session:1", 7, version=6)
    assert coalescer.settle() == 0
    assert sent[-1] == ("question", question(5, status="hidden"), "session:1")


def test_the_loop_settles_once_the_storm_is_over() -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    coalescer.refreshers["question"] = lambda keys: [(question(9), "session:1", 7, 9)]
    coalescer.offer("question", question(8), "session:1", 7, version=8)
    assert run_flush_loop(coalescer, lambda _seconds: None) == 2
    assert sent == [
        ("question", question(8), "session:1"),
        ("question", question(9), "session:1"),
    ]


def test_a_failed_settling_still_ends_the_loop(caplog: pytest.LogCaptureFixture) -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)

    def unreachable(keys: list[Any]) -> list[tuple[dict[str, Any], str, Any, int | None]]:
        raise ConnectionError("the database is away")

    coalescer.refreshers["question"] = unreachable
    coalescer.offer("question", question(8), "session:1", 7, version=8)
    assert run_flush_loop(coalescer, lambda _seconds: None) == 2
    assert sent == [("question", question(8), "session:1")]
    assert "reading the state to settle on failed" in caplog.text
    # A later offer starts a new loop: the process still broadcasts.
    assert coalescer.offer("question", question(9), "session:1", 7, version=9) is True


class Timeline:
    """A fake clock whose `sleep` runs the offers scheduled within the slept span."""

    def __init__(self, coalescer: Coalescer, offers: list[tuple[float, int]]) -> None:
        self.now = 0.0
        self.coalescer = coalescer
        self.offers = sorted(offers)
        self.flush_times: list[float] = []

    def sleep(self, seconds: float) -> None:
        until = self.now + seconds
        while self.offers and self.offers[0][0] <= until:
            at, votes = self.offers.pop(0)
            self.coalescer.offer("question", question(votes), "session:1", 7)
            self.now = at
        self.now = until
        self.flush_times.append(self.now)


def test_the_loop_flushes_at_most_once_per_interval_and_stops_when_quiet() -> None:
    sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    assert coalescer.offer("question", question(1), "session:1", 7)
    # 1,999 more votes spread over ten seconds, one every 5 ms.
    timeline = Timeline(coalescer, [(0.005 * n, n + 1) for n in range(1, 2000)])

    flushes = run_flush_loop(coalescer, timeline.sleep)

    gaps = [b - a for a, b in zip(timeline.flush_times, timeline.flush_times[1:], strict=False)]
    assert all(gap >= 0.2 - 1e-9 for gap in gaps)
    assert flushes == len(timeline.flush_times)
    assert len(sent) <= 10.0 / 0.2 + 1
    assert sent[-1] == ("question", question(2000), "session:1")
    assert coalescer.pending() == 0
    assert coalescer.offer("question", question(2001), "session:1", 7) is True


def test_an_offer_while_the_loop_runs_does_not_start_another() -> None:
    _sent, emit = recorder()
    coalescer = Coalescer(emit, 0.2)
    assert coalescer.offer("question", question(1), "session:1", 7) is True
    assert coalescer.offer("question", question(2), "session:1", 7) is False
    assert coalescer.stop_if_idle() is False
    assert coalescer.flush() == 1
    assert coalescer.stop_if_idle() is True


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    return {**app_settings, "FANOUT_INTERVAL_MS": 250}


def test_publish_starts_one_background_flush_and_delivers_the_latest(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    fanout.init_app(app)
    sent, emit = recorder()
    target = fanout.coalescer()
    target.emit = emit
    started: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        fanout.socketio, "start_background_task", lambda *args: started.append(args)
    )

    for votes in range(1, 101):
        fanout.publish("question", question(votes), "session:1", 7)

    assert len(started) == 1
    loop, coalescer, _sleep = started[0]
    assert (loop, coalescer, coalescer.interval) == (run_flush_loop, target, 0.25)
    assert run_flush_loop(coalescer, lambda _seconds: None) == 2
    assert sent == [("question", question(100), "session:1")]


def test_publish_now_sends_at_once(app: Flask) -> None:
    fanout.init_app(app)
    sent, emit = recorder()
    fanout.coalescer().emit = emit
    fanout.publish("question", question(1), "session:1", 7)
    fanout.publish_now("question", question(1, status="hidden"), "session:1", 7)
    assert sent == [("question", question(1, status="hidden"), "session:1")]
    assert fanout.coalescer().flush() == 0


@pytest.mark.parametrize("interval", [0])
def test_interval_zero_turns_coalescing_off(app: Flask, interval: int) -> None:
    app.config["FANOUT_INTERVAL_MS"] = interval
    fanout.init_app(app)
    sent, emit = recorder()
    fanout.coalescer().emit = emit
    fanout.publish("question", question(1), "session:1", 7)
    fanout.publish("question", question(2), "session:1", 7)
    assert [payload["votes"] for _event, payload, _room in sent] == [1, 2]


def test_a_negative_interval_is_refused(app: Flask) -> None:
    app.config["FANOUT_INTERVAL_MS"] = -1
    with pytest.raises(RuntimeError, match="FANOUT_INTERVAL_MS"):
        fanout.init_app(app)
