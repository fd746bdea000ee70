"""The pure registration rules: refusals, overlaps, clashes, waitlist ranks, webcal links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from networkfest.registration.rules import (
    TimeSpan,
    cancellation_refusal,
    clashes_with,
    clashing_keys,
    overlaps,
    queue_time,
    registration_refusal,
)
from networkfest.timing.rules import Phase, Slot

T0 = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


def slot(key: str, start_min: int, minutes: int) -> TimeSpan:
    start = T0 + timedelta(minutes=start_min)
    return TimeSpan(key, start, start + timedelta(minutes=minutes))


def test_open_until_the_session_ends() -> None:
    ends = T0 + timedelta(minutes=45)
    assert registration_refusal("scheduled", ends, T0 - timedelta(days=3)) is None
    assert registration_refusal("scheduled", ends, ends - timedelta(seconds=1)) is None
    refusal = registration_refusal("scheduled", ends, ends)
    assert refusal is not None and refusal.code == "ended"


def test_cancelled_session_is_refused_with_its_own_code() -> None:
    refusal = registration_refusal("cancelled", T0 + timedelta(hours=1), T0)
    assert refusal is not None
    assert refusal.code == "cancelled"
    assert "cancelled" in refusal.message


def test_places_can_be_cancelled_until_the_session_ends() -> None:
    """Scheduled, in the lobby and while live a place may be given up; in the clock's
    `ended` phase, from the scheduled end on, it may not."""
    clock_slot = Slot(T0, T0 + timedelta(minutes=45))
    instants = {
        T0 - timedelta(days=3): Phase.SCHEDULED,
        T0 - timedelta(minutes=5): Phase.LOBBY,
        T0: Phase.LIVE,
        clock_slot.ends_at - timedelta(seconds=1): Phase.LIVE,
        clock_slot.ends_at: Phase.ENDED,
        clock_slot.ends_at + timedelta(days=4): Phase.ENDED,
    }
    for now, phase in instants.items():
        assert clock_slot.phase(now) == phase
        refusal = cancellation_refusal(clock_slot.ends_at, now)
        if phase != Phase.ENDED:
            assert refusal is None, now
            continue
        assert refusal is not None
        assert refusal.code == "ended"
        assert refusal.message == (
            "This session has ended, so its places can no longer be cancelled."
        )


def test_overlap_is_half_open() -> None:
    assert overlaps(slot("a", 0, 60), slot("b", 30, 60))
    assert overlaps(slot("a", 0, 60), slot("b", 10, 10))
    assert not overlaps(slot("a", 0, 60), slot("b", 60, 30))
    assert not overlaps(slot("b", 60, 30), slot("a", 0, 60))


def test_clashes_with_ignores_the_same_session_and_sorts() -> None:
    candidate = slot("x", 30, 60)
    held = [slot("late", 80, 30), slot("x", 30, 60), slot("early", 0, 45), slot("free", 90, 10)]
    assert [s.key for s in clashes_with(candidate, held)] == ["early", "late"]


def test_clashing_keys_flags_every_pair_and_leaves_others_empty() -> None:
    slots = [slot("a", 0, 60), slot("b", 30, 60), slot("c", 45, 10), slot("d", 120, 30)]
    assert clashing_keys(slots) == {
        "a": {"b", "c"},
        "b": {"a", "c"},
        "c": {"a", "b"},
        "d": set(),
    }


def test_queue_time_is_never_before_the_last_in_the_queue() -> None:
    now = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
    assert queue_time(now, None) == now
    assert queue_time(now, now - timedelta(seconds=1)) == now
    assert queue_time(now, now) == now
    assert queue_time(now, now + timedelta(seconds=1)) == now + timedelta(seconds=1)
