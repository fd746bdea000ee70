"""Where the demo puts the programme: pure, with the instant passed in."""

from __future__ import annotations

from datetime import UTC, datetime

from networkfest.demo.rules import shift_for_demo
from networkfest.programme.rules import check
from tests.programme.schedules import schedule, session


def test_demo_shift_puts_one_session_live_and_the_next_minutes_away() -> None:
    text = schedule(
        session("early", starts="2026-09-21T09:00:00", hosts="[]"),
        session(
            "long",
            starts="2026-09-21T10:00:00",
            minutes=90,
            agenda='[{ title = "All", minutes = 90 }]',
            hosts='["a@example.org"]',
        ),
        session("parallel", starts="2026-09-21T10:30:00", hosts='["b@example.org"]'),
        session("friday", starts="2026-09-25T16:00:00", hosts='["b@example.org"]'),
    )
    original = check(text).schedule
    assert original is not None
    now = datetime(2027, 3, 3, 14, 7, 31, tzinfo=UTC)
    shifted = shift_for_demo(original, now)
    by_slug = {s.slug: s for s in shifted.sessions}
    assert by_slug["long"].starts_at <= now < by_slug["long"].ends_at
    assert by_slug["parallel"].starts_at == datetime(2027, 3, 3, 14, 12, tzinfo=UTC)
    gaps = [
        b.starts_at - a.starts_at for a, b in zip(original.sessions, shifted.sessions, strict=True)
    ]
    assert len(set(gaps)) == 1
    assert shifted.festival.starts == datetime(2027, 3, 3).date()
    assert shifted.festival.ends == datetime(2027, 3, 7).date()
    assert by_slug["friday"].starts_at.date() == datetime(2027, 3, 7).date()


def test_demo_shift_without_overlaps_makes_the_first_session_live() -> None:
    original = check(schedule(session(), session("beta", starts="2026-09-22T10:00:00"))).schedule
    assert original is not None
    now = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
    shifted = shift_for_demo(original, now)
    first = shifted.sessions[0]
    assert first.starts_at == datetime(2027, 1, 5, 11, 55, tzinfo=UTC)
    assert first.starts_at <= now < first.ends_at
