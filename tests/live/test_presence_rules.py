"""Pure interval logic behind attendance and peak concurrency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from networkfest.live.presence import clip, peak, total_seconds, union

T = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def test_union_merges_overlapping_and_touching_stays() -> None:
    assert union([(at(10), at(20)), (at(0), at(5)), (at(5), at(8)), (at(15), at(30))]) == [
        (at(0), at(8)),
        (at(10), at(30)),
    ]
    assert union([]) == []


def test_two_tabs_count_once_and_a_gap_does_not_count() -> None:
    tabs = [(at(0), at(30)), (at(10), at(20))]
    assert total_seconds(tabs) == 30 * 60
    reconnect = [(at(0), at(10)), (at(11), at(20))]
    assert total_seconds(reconnect) == 19 * 60


def test_clip_to_the_slot() -> None:
    assert clip([(at(-10), at(5)), (at(40), at(60)), (at(50), at(55))], at(0), at(45)) == [
        (at(0), at(5)),
        (at(40), at(45)),
    ]


def test_peak_counts_people_not_connections() -> None:
    alice = [(at(0), at(30)), (at(5), at(25))]
    bob = [(at(10), at(20))]
    carol = [(at(20), at(40))]
    assert peak([alice, bob, carol]) == 2
    assert peak([alice, [(at(10), at(30))], [(at(15), at(16))]]) == 3
    assert peak([]) == 0


def test_a_hand_over_at_the_same_instant_is_not_an_overlap() -> None:
    assert peak([[(at(0), at(10))], [(at(10), at(20))]]) == 1
