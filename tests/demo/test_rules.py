"""Where the demo puts the programme and what its record says: pure, with the instant passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

import pytest

from networkfest.config import PROJECT_ROOT
from networkfest.demo import rules
from networkfest.demo.rules import shift_for_demo
from networkfest.programme.rules import Schedule, check, double_bookings
from tests.programme.schedules import schedule, session

LONDON = ZoneInfo("Europe/London")
# A Thursday afternoon in November (GMT), and a Saturday night in summer (BST).
THURSDAY = datetime(2026, 11, 26, 14, 44, 31, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2027, 6, 12, 21, 3, tzinfo=UTC)


def demo_schedule() -> Schedule:
    checked = check((PROJECT_ROOT / "schedule" / "networkfest-2026.toml").read_text("utf-8"))
    assert checked.schedule is not None
    return checked.schedule


def local(instant: datetime) -> datetime:
    return instant.astimezone(LONDON)


def live_at(schedule_: Schedule, now: datetime) -> list[str]:
    return [s.slug for s in schedule_.sessions if s.starts_at <= now < s.ends_at]


@pytest.mark.parametrize("now", [THURSDAY, SATURDAY_NIGHT, datetime(2026, 3, 9, 7, 5, tzinfo=UTC)])
def test_one_session_is_live_now_and_the_next_starts_minutes_later(now: datetime) -> None:
    programme = shift_for_demo(demo_schedule(), now)
    by_slug = {s.slug: s for s in programme.schedule.sessions}
    assert live_at(programme.schedule, now) == [programme.live]
    upcoming = by_slug[str(programme.next)]
    assert timedelta(minutes=2) <= upcoming.starts_at - now <= timedelta(minutes=17)
    later = [s for s in programme.schedule.sessions if s.starts_at > now]
    assert min(later, key=lambda s: s.starts_at).starts_at == upcoming.starts_at


@pytest.mark.parametrize("now", [THURSDAY, SATURDAY_NIGHT])
def test_every_session_starts_on_the_quarter_hour(now: datetime) -> None:
    programme = shift_for_demo(demo_schedule(), now)
    starts = [local(s.starts_at) for s in programme.schedule.sessions]
    assert all(t.minute % 15 == 0 and t.second == 0 for t in starts)


def test_the_demo_host_hosts_the_live_session_and_their_next_after_it() -> None:
    original = demo_schedule()
    programme = shift_for_demo(original, THURSDAY)
    assert programme.host == "amira.hassan@example.org" == rules.demo_host(original)
    by_slug = {s.slug: s for s in programme.schedule.sessions}
    live, host_next = by_slug[str(programme.live)], by_slug[str(programme.host_next)]
    assert programme.host in live.hosts and programme.host in host_next.hosts
    # The session starting in a few minutes overlaps the live one: it is someone else's.
    assert programme.host not in by_slug[str(programme.next)].hosts
    # Their next is their own session from the file, the first after the live one ends.
    assert host_next.hosts == next(s.hosts for s in original.sessions if s.slug == host_next.slug)
    theirs = [s for s in programme.schedule.sessions if programme.host in s.hosts]
    assert (
        min((s for s in theirs if s.starts_at >= live.ends_at), key=lambda s: s.starts_at)
        == host_next
    )


# A weekday in November (GMT), a Saturday in summer (BST), and the days the clocks change.
DAYS = [
    datetime(2026, 11, 26, tzinfo=UTC),
    datetime(2027, 6, 12, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
]


@pytest.mark.parametrize("day", DAYS, ids=lambda d: d.date().isoformat())
def test_the_moved_programme_passes_the_schedule_check_all_day(day: datetime) -> None:
    """Moved to any time of day, no host is in two sessions at once: the demo publishes a
    programme the schedule check would take from a file."""
    original = demo_schedule()
    for minute in range(0, 24 * 60, 5):
        now = day + timedelta(minutes=minute)
        programme = shift_for_demo(original, now)
        assert double_bookings(programme.schedule.sessions) == [], now
        assert live_at(programme.schedule, now) == [programme.live], now
        assert programme.next is not None and programme.host_next is not None, now


def test_a_host_of_two_sessions_in_a_row_is_not_double_booked_by_the_next_one() -> None:
    """b hosts beta and gamma back to back: beta live with gamma next would overlap them, so
    alpha is live, beta next, and gamma waits for beta to end."""
    original = check(
        schedule(
            session("alpha", starts="2026-09-21T10:00:00", hosts='["a@example.org"]'),
            session("beta", starts="2026-09-21T11:00:00", hosts='["b@example.org"]'),
            session("gamma", starts="2026-09-21T11:30:00", hosts='["b@example.org"]'),
            session("delta", starts="2026-09-21T13:00:00", hosts='["c@example.org"]'),
        )
    ).schedule
    assert original is not None
    now = datetime(2027, 1, 5, 11, 20, tzinfo=UTC)  # beta is due by the clock
    programme = shift_for_demo(original, now)
    by_slug = {s.slug: s for s in programme.schedule.sessions}
    assert (programme.live, programme.next) == ("alpha", "beta")
    assert by_slug["gamma"].starts_at == by_slug["beta"].ends_at
    assert double_bookings(programme.schedule.sessions) == []


def test_a_session_moved_earlier_does_not_run_into_its_hosts_next_one() -> None:
    """Before the live one, gamma moves earlier to be over by its start, and beta, with the
    same host, moves earlier again to be over before gamma starts."""
    original = check(
        schedule(
            session("alpha", starts="2026-09-21T09:00:00", hosts='["a@example.org"]'),
            session("beta", starts="2026-09-21T10:00:00", hosts='["b@example.org"]'),
            session("gamma", starts="2026-09-21T10:30:00", hosts='["b@example.org"]'),
            session("delta", starts="2026-09-21T10:45:00", hosts='["c@example.org"]'),
            session("epsilon", starts="2026-09-21T12:00:00", hosts='["d@example.org"]'),
        )
    ).schedule
    assert original is not None
    now = datetime(2027, 1, 5, 10, 50, tzinfo=UTC)
    programme = shift_for_demo(original, now)
    by_slug = {s.slug: s for s in programme.schedule.sessions}
    assert (programme.live, programme.next) == ("delta", "epsilon")
    assert by_slug["gamma"].ends_at <= by_slug["delta"].starts_at
    assert by_slug["beta"].ends_at <= by_slug["gamma"].starts_at
    assert double_bookings(programme.schedule.sessions) == []


def test_the_days_keep_their_order_and_the_middle_one_is_today() -> None:
    original = demo_schedule()
    programme = shift_for_demo(original, THURSDAY)
    file_days = {s.slug: local(s.starts_at).date() for s in original.sessions}
    new_days = {s.slug: local(s.starts_at).date() for s in programme.schedule.sessions}
    assert sorted(set(new_days.values())) == [
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 11, 27),
        date(2026, 11, 30),  # Monday: the weekend is stepped over
    ]
    # Sessions of one file day stay together, in the file's order of days.
    pairs = {(file_days[slug], new_days[slug]) for slug in file_days}
    assert len(pairs) == 5 and sorted(pairs) == sorted(pairs, key=lambda p: p[1])
    assert new_days[str(programme.live)] == date(2026, 11, 26)
    assert programme.schedule.festival.starts == date(2026, 11, 24)
    assert programme.schedule.festival.ends == date(2026, 11, 30)


def test_other_days_keep_their_clock_times() -> None:
    original = demo_schedule()
    programme = shift_for_demo(original, THURSDAY)
    today = date(2026, 11, 26)
    before = {s.slug: local(s.starts_at).time() for s in original.sessions}
    for s in programme.schedule.sessions:
        if local(s.starts_at).date() != today:
            # 09:30 BST in September is 09:30 GMT in November: clock time, not the instant.
            assert local(s.starts_at).time() == before[s.slug], s.slug


def test_today_keeps_its_order_and_the_sessions_before_now_are_over() -> None:
    original = demo_schedule()
    programme = shift_for_demo(original, THURSDAY)
    today = [
        s for s in programme.schedule.sessions if local(s.starts_at).date() == date(2026, 11, 26)
    ]
    file_order = [s.slug for s in original.sessions]
    assert [s.slug for s in sorted(today, key=lambda s: s.starts_at)] == sorted(
        (s.slug for s in today), key=file_order.index
    )
    live = next(s for s in today if s.slug == programme.live)
    for s in today:
        if s.starts_at < live.starts_at:
            assert s.ends_at <= THURSDAY, s.slug
    # The days before today are over.
    assert all(
        s.ends_at <= THURSDAY
        for s in programme.schedule.sessions
        if local(s.starts_at).date() < date(2026, 11, 26)
    )


def test_the_same_instant_gives_the_same_programme() -> None:
    assert shift_for_demo(demo_schedule(), THURSDAY) == shift_for_demo(demo_schedule(), THURSDAY)


def test_a_small_programme_puts_its_first_session_live_when_it_is_early() -> None:
    original = check(
        schedule(
            session("alpha", starts="2026-09-21T10:00:00", hosts='["a@example.org"]'),
            session("beta", starts="2026-09-21T11:00:00", hosts='["b@example.org"]'),
        )
    ).schedule
    assert original is not None
    now = datetime(2027, 1, 5, 7, 1, tzinfo=UTC)
    programme = shift_for_demo(original, now)
    by_slug = {s.slug: s for s in programme.schedule.sessions}
    assert programme.live == "alpha" and programme.next == "beta"
    # Live for at least five minutes, on the quarter hour: 06:45 for 07:01.
    assert by_slug["alpha"].starts_at == datetime(2027, 1, 5, 6, 45, tzinfo=UTC)
    assert by_slug["beta"].starts_at == datetime(2027, 1, 5, 7, 15, tzinfo=UTC)
    # The demo host joins the live session only: beta overlaps it.
    assert by_slug["alpha"].hosts == ("a@example.org",)
    assert by_slug["beta"].hosts == ("b@example.org",)
    assert programme.host_next is None  # a hosts nothing after alpha


# The record's stories --------------------------------------------------------------------------


def past(
    slug: str, items: int = 4, hosts: bool = True, demo_host: bool = False
) -> rules.PastSession:
    return rules.PastSession(slug, items, hosts, demo_host)


def test_every_story_is_told_and_each_fits_its_session() -> None:
    sessions = [
        past(f"s{i}", demo_host=i % 4 == 2, items=2 if i % 5 == 1 else 4) for i in range(18)
    ]
    stories = rules.assign_stories(sessions)
    assert set(stories.values()) == {
        rules.ON_TIME,
        rules.OVERRAN,
        rules.LATE_START,
        rules.NO_HOST,
        rules.QUIET,
    }
    for s in sessions:
        if s.demo_host:
            assert stories[s.slug] != rules.NO_HOST
        if s.items <= 2:
            assert stories[s.slug] != rules.OVERRAN


def test_a_session_without_hosts_has_no_host_story() -> None:
    assert rules.assign_stories([past("x", hosts=False)]) == {"x": rules.NO_HOST}


def test_the_record_of_a_session_follows_its_story() -> None:
    spec = next(s for s in demo_schedule().sessions if s.slug == "run-sheet-workshop")
    overran = rules.plan_record(spec, rules.OVERRAN, 36, Random(rules.SEED), qa=True)
    assert spec.capacity is not None and len(overran.registrants) > spec.capacity  # a waitlist
    assert overran.host_arrives is not None and overran.host_arrives < timedelta(0)
    # One press per item after the first, the first before the first timebox runs out.
    assert len(overran.presses) == len(spec.agenda) - 1
    assert overran.presses[0] < timedelta(minutes=spec.agenda[0].minutes)
    planned_second = timedelta(minutes=spec.agenda[0].minutes + spec.agenda[1].minutes)
    assert overran.presses[1] > planned_second  # the main item ran over
    late = rules.plan_record(spec, rules.LATE_START, 36, Random(1), qa=True)
    assert late.host_arrives is not None and late.host_arrives >= timedelta(minutes=4)
    assert late.presses == ()
    nobody = rules.plan_record(spec, rules.NO_HOST, 36, Random(2), qa=True)
    assert nobody.host_arrives is None and nobody.presses == () and nobody.questions == ()
    assert nobody.stays  # people came; the host did not
    assert rules.plan_record(spec, rules.OVERRAN, 36, Random(rules.SEED), qa=True) == overran
