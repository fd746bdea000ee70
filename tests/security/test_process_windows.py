"""The event counts of an app without shared storage (`ratelimit.ProcessWindows`), on an
injected clock: fixed windows as `limits` counts them, expired counts dropped by a sweep at
most once a second rather than from a timer every 10 ms."""

from __future__ import annotations

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from networkfest.realtime.ratelimit import ProcessWindows


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_counts_to_its_limit_and_starts_again_when_it_ends() -> None:
    clock = Clock()
    limiter = FixedWindowRateLimiter(ProcessWindows(timer=clock))
    three = parse("3 per minute")

    assert [limiter.hit(three, "live", "vote", "p1") for _ in range(4)] == [True] * 3 + [False]
    assert limiter.hit(three, "live", "vote", "p2"), "someone else's count is their own"
    assert limiter.hit(three, "live", "ask", "p1"), "each event has its own count"
    clock.now += 59
    assert not limiter.hit(three, "live", "vote", "p1")
    clock.now += 1
    assert limiter.hit(three, "live", "vote", "p1"), "a new window"


def test_the_window_ends_a_window_after_its_first_count() -> None:
    clock = Clock()
    windows = ProcessWindows(timer=clock)
    assert windows.incr("k", 60) == 1
    clock.now += 30
    assert windows.incr("k", 60) == 2
    assert windows.get_expiry("k") == 1_060.0
    assert windows.get("k") == 2
    clock.now += 30
    assert windows.get("k") == 0
    assert windows.get_expiry("k") == clock.now


def test_expired_counts_are_dropped_by_the_next_sweep_only() -> None:
    clock = Clock()
    windows = ProcessWindows(timer=clock, sweep_s=1.0)
    for person in range(5):
        windows.incr(f"short:{person}", 2)
    windows.incr("long", 60)
    clock.now += 3
    windows.incr("long", 60)  # a sweep is due: the five short windows have ended
    clock.now += 0.5
    windows.incr("later", 0.2)
    clock.now += 0.4
    windows.incr("long", 60)  # 0.9 s since the last sweep: "later" has ended but stays
    assert windows.reset() == 2  # "long" and "later"
    assert windows.get("long") == 0


def test_clear_forgets_one_count() -> None:
    windows = ProcessWindows(timer=Clock())
    windows.incr("a", 60)
    windows.incr("b", 60)
    windows.clear("a")
    assert (windows.get("a"), windows.get("b")) == (0, 1)
    assert windows.check()
