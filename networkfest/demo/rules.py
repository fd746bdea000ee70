"""Where the demo puts the programme, and the story its past days tell.

Pure: no Flask, no database; the instant and the random source are passed in, so the same
instant gives the same programme and the same record every time.

The programme: the festival's days keep their order and their working days (weekends are
stepped over), with its middle day falling today; every session keeps its clock time in the
festival's time zone, on the quarter hour, except that today one session is placed live now
and the next one starts a few minutes later, and today's others move only as far as they must
to keep their order, not be live as well and never have a host in two sessions at once. The
days before today are over.

The demo host joins the live session. The next one overlaps it, so it is never one the live
session's hosts (the demo host among them) host too: the programme passes the schedule's
check (`programme.rules.double_bookings`) as a file would. The demo host's next session is
the first of their own after the live one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

from networkfest.programme.rules import Schedule, SessionSpec

QUARTER = timedelta(minutes=15)
# The next session starts at least this long after now, so the lobby is open or about to be.
NEXT_AT_LEAST = timedelta(minutes=2)
# The live session has been running at least this long, so its room has something in it.
LIVE_FOR_AT_LEAST = timedelta(minutes=5)
# One seed: the record is the same on every run at the same instant.
SEED = 2026


@dataclass(frozen=True)
class DemoProgramme:
    """The shifted schedule, the slugs of the session live now and the next, the demo host,
    and the slug of the demo host's next session after the live one."""

    schedule: Schedule
    live: str | None
    next: str | None
    host: str | None
    host_next: str | None = None


def _floor_quarter(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % 15)


def _ceil_quarter(moment: datetime) -> datetime:
    floored = _floor_quarter(moment)
    return floored if floored == moment else floored + QUARTER


def _working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) from `start` to `end`, negative when `end` is earlier."""
    step = 1 if end >= start else -1
    count, day = 0, start
    while day != end:
        day += timedelta(days=step)
        if day.weekday() < 5:
            count += step
    return count


def _add_working_days(day: date, count: int) -> date:
    step = 1 if count >= 0 else -1
    for _ in range(abs(count)):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day in the festival's zone, as a UTC instant."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _on_the_quarter(clock: time) -> time:
    return clock.replace(minute=clock.minute - clock.minute % 15, second=0, microsecond=0)


def demo_host(schedule: Schedule) -> str | None:
    """The demo's host account: the first host the file names (the first session's first)."""
    return next((email for s in schedule.sessions for email in s.hosts), None)


def _hosts_when_live(session: SessionSpec, host: str | None) -> set[str]:
    """Who hosts `session` if it is the one live: its hosts, and the demo host who joins it."""
    return set(session.hosts) | ({host} if host is not None else set())


def _live_index(todays: Sequence[SessionSpec], due: int, host: str | None) -> tuple[int, bool]:
    """Which of today's sessions is live, and whether the one after it starts in a few minutes.

    The one due by the clock, unless the one after it shares a host with it (the demo host
    joins the live one): starting while the live one runs would double-book that host. Then
    the nearest earlier session whose next is free, else the nearest later one; with none,
    the one due and no next.
    """

    pairs = [
        i
        for i in range(len(todays) - 1)
        if not _hosts_when_live(todays[i], host) & set(todays[i + 1].hosts)
    ]
    earlier = [i for i in pairs if i <= due]
    if earlier:
        return earlier[-1], True
    later = [i for i in pairs if i > due]
    return (later[0], True) if later else (due, False)


def shift_for_demo(schedule: Schedule, now: datetime) -> DemoProgramme:
    """Move the programme around `now` as the module says; the demo host hosts the live one."""
    if not schedule.sessions:
        return DemoProgramme(schedule, None, None, None)
    zone = ZoneInfo(schedule.festival.timezone)
    local_now = now.astimezone(zone).replace(second=0, microsecond=0)
    order = {s.slug: i for i, s in enumerate(schedule.sessions)}
    local = {s.slug: s.starts_at.astimezone(zone) for s in schedule.sessions}
    file_days = sorted({local[s.slug].date() for s in schedule.sessions})
    busy = [d for d in file_days if sum(local[s.slug].date() == d for s in schedule.sessions) > 1]
    middle_choices = busy or file_days
    file_today = middle_choices[len(middle_choices) // 2]
    today = local_now.date()

    starts: dict[str, datetime] = {}
    for s in schedule.sessions:
        file_day = local[s.slug].date()
        if file_day != file_today:
            day = _add_working_days(today, _working_days_between(file_today, file_day))
            starts[s.slug] = _at(day, _on_the_quarter(local[s.slug].time()), zone)

    todays = sorted(
        (s for s in schedule.sessions if local[s.slug].date() == file_today),
        key=lambda s: (local[s.slug], order[s.slug]),
    )
    clock_now = local_now.time()
    due = [i for i, s in enumerate(todays) if local[s.slug].time() <= clock_now]
    host = demo_host(schedule)
    j, has_next = _live_index(todays, min(due[-1] if due else 0, max(len(todays) - 2, 0)), host)
    live, nxt = todays[j], (todays[j + 1] if has_next else None)
    hosts = {s.slug: set(s.hosts) for s in todays} | {live.slug: _hosts_when_live(live, host)}

    def shares_host(a: SessionSpec, b: SessionSpec) -> bool:
        return bool(hosts[a.slug] & hosts[b.slug])

    now_utc = local_now.astimezone(UTC)
    # Live for a few minutes already, so its room has questions; never so long it has ended.
    live_start = _floor_quarter(now_utc - LIVE_FOR_AT_LEAST)
    if live_start + timedelta(minutes=live.minutes) <= now_utc:
        live_start = _floor_quarter(now_utc)
    if live_start + timedelta(minutes=live.minutes) <= now_utc:
        live_start = now_utc  # a session shorter than the quarter hour so far
    starts[live.slug] = live_start
    next_start = _ceil_quarter(now_utc + NEXT_AT_LEAST)
    if nxt is not None:
        starts[nxt.slug] = next_start
    # Earlier today: on their clock time, unless that would leave them live now, out of order
    # or running into a later one they share a host with.
    bound, placed = live_start, [live]
    for s in reversed(todays[:j]):
        own = _at(today, _on_the_quarter(local[s.slug].time()), zone)
        ends_by = min(starts[t.slug] for t in placed if t is live or shares_host(s, t))
        start = min(own, _floor_quarter(ends_by - timedelta(minutes=s.minutes)), bound)
        starts[s.slug] = bound = start
        placed.append(s)
    # Later today: on their clock time, never before the one before them nor the next one,
    # nor before an earlier one they share a host with has ended.
    floor, placed = next_start, [live] if nxt is None else [live, nxt]
    for s in todays[j + len(placed) :]:
        own = _at(today, _on_the_quarter(local[s.slug].time()), zone)
        ended = [starts[t.slug] + timedelta(minutes=t.minutes) for t in placed if shares_host(s, t)]
        starts[s.slug] = floor = max(own, _ceil_quarter(max([floor, *ended])))
        placed.append(s)

    def moved(s: SessionSpec) -> SessionSpec:
        if s.slug == live.slug and host is not None and host not in s.hosts:
            return dataclasses.replace(s, starts_at=starts[s.slug], hosts=(host, *s.hosts))
        return dataclasses.replace(s, starts_at=starts[s.slug])

    sessions = tuple(moved(s) for s in schedule.sessions)
    days = [s.starts_at.astimezone(zone).date() for s in sessions] + [
        (s.ends_at - timedelta(minutes=1)).astimezone(zone).date() for s in sessions
    ]
    festival = dataclasses.replace(schedule.festival, starts=min(days), ends=max(days))
    shifted = dataclasses.replace(schedule, festival=festival, sessions=sessions)
    live_ends = live_start + timedelta(minutes=live.minutes)
    host_next = min(
        (s for s in sessions if s.starts_at >= live_ends and host is not None and host in s.hosts),
        key=lambda s: (s.starts_at, order[s.slug]),
        default=None,
    )
    return DemoProgramme(
        shifted,
        live.slug,
        nxt.slug if nxt is not None else None,
        host,
        host_next.slug if host_next is not None else None,
    )


# The record ---------------------------------------------------------------------------------

# How a past session went: the stories the punctuality record and the charts should show.
ON_TIME = "on_time"  # the host was in the lobby and kept every timebox
OVERRAN = "overran"  # on time, but the main item ran over and squeezed the rest
LATE_START = "late_start"  # the host came minutes late and never touched the run sheet
NO_HOST = "no_host"  # people came, the host never did: no record of a start
QUIET = "quiet_on_time"  # the host came and let the run sheet follow the clock
STORIES = (ON_TIME, OVERRAN, LATE_START, ON_TIME, QUIET, OVERRAN, NO_HOST, ON_TIME, LATE_START)


@dataclass(frozen=True)
class Stay:
    """A person in the live room, as offsets from the scheduled start (None: still there)."""

    person: int
    joined: timedelta
    left: timedelta | None


@dataclass(frozen=True)
class AskedQuestion:
    """A question and what became of it: approved (when moderated), voted on, answered."""

    asker: int
    text: str
    at: timedelta
    approved: bool
    answered: bool
    voters: tuple[int, ...]


@dataclass(frozen=True)
class FeedbackGiven:
    person: int
    worth: int
    different: str
    follow_up: bool
    after_end: timedelta


@dataclass(frozen=True)
class SessionRecord:
    """Everything that happens to one session in the demo, in people's indexes and offsets."""

    slug: str
    story: str
    registrants: tuple[int, ...]
    registered_before: timedelta
    host_arrives: timedelta | None
    presses: tuple[timedelta, ...]
    stays: tuple[Stay, ...]
    questions: tuple[AskedQuestion, ...]
    feedback: tuple[FeedbackGiven, ...]


QUESTIONS = (
    "How do you stop one organisation dominating the network?",
    "What do you do when the sponsor wants a different purpose?",
    "How short can a run sheet item be before it stops being useful?",
    "Which measure would you drop first if you had to?",
    "How do you keep members coming after the first year?",
    "Do you share the run sheet before the meeting or only on the day?",
    "How do you end a meeting on time when the chair is the one overrunning?",
    "What is the smallest evidence of value a funder will accept?",
    "How did you get the council and the trust to share one agenda?",
    "Would you record these sessions, or does that change what people say?",
)
DIFFERENT = (
    "Put a timebox next to every agenda item.",
    "Start our next steering group on the minute, whoever is missing.",
    "Cut the standing updates and send them in writing.",
    "Ask the five questions before booking the next meeting.",
    "Write our purpose in one sentence and read it out at the start.",
    "Stop the quarterly newsletter nobody reads.",
    "Try a listening round instead of the annual survey.",
    "Name an owner for every item on the run sheet.",
    "End with commitments, not actions.",
    "Share one failure at the next members' meeting.",
)
WORTH = {
    ON_TIME: (4, 5, 5, 4, 5, 3),
    QUIET: (4, 4, 5, 3),
    OVERRAN: (3, 4, 4, 5, 2),
    LATE_START: (2, 3, 4, 3),
    NO_HOST: (1, 2, 1, 3),
}


@dataclass(frozen=True)
class PastSession:
    """What the story of a past session depends on."""

    slug: str
    items: int
    has_hosts: bool
    demo_host: bool


def _fits(story: str, session: PastSession) -> bool:
    if story == NO_HOST:
        # The demo host's own sessions show what a host does; a session without hosts has none.
        return not session.demo_host
    if not session.has_hosts:
        return False
    # An overrun needs an item after the first: the first press must come before the clock
    # itself moves the run sheet on, or it would skip an item.
    return story != OVERRAN or session.items > 2


def assign_stories(sessions: Sequence[PastSession]) -> dict[str, str]:
    """A story for each past session, in order, cycling through `STORIES`; a story that does
    not fit a session waits for the next one it fits, so every kind appears."""
    result: dict[str, str] = {}
    waiting: list[str] = []
    cycle = 0
    for session in sessions:
        story = next((s for s in waiting if _fits(s, session)), None)
        if story is not None:
            waiting.remove(story)
        while story is None:
            candidate = STORIES[cycle % len(STORIES)]
            cycle += 1
            if _fits(candidate, session):
                story = candidate
            elif candidate not in waiting:
                waiting.append(candidate)
            if cycle > 10 * len(STORIES):
                story = NO_HOST
        result[session.slug] = story
    return result


def _presses(
    session: SessionSpec, story: str, rng: Random
) -> tuple[timedelta | None, tuple[timedelta, ...]]:
    """When the host arrives and when they press "Next item", as offsets from the start.

    The first press comes a little before the first item's timebox runs out: by then the
    run sheet, following the clock, would itself have moved on.
    """
    if story == NO_HOST:
        return None, ()
    if story == LATE_START:
        return timedelta(minutes=rng.randint(4, 9), seconds=rng.randint(0, 59)), ()
    arrives = -timedelta(minutes=rng.randint(1, 6), seconds=rng.randint(0, 59))
    if story == QUIET or len(session.agenda) < 2:
        return arrives, ()
    presses: list[timedelta] = []
    cursor = timedelta(0)
    overrun_item = 1 if len(session.agenda) > 2 else 0
    for index, item in enumerate(session.agenda[:-1]):
        length = timedelta(minutes=item.minutes)
        if index == 0:
            length -= timedelta(seconds=rng.randint(15, 50))
        elif story == OVERRAN and index == overrun_item:
            length += timedelta(minutes=rng.randint(4, 8), seconds=rng.randint(0, 59))
        else:
            length -= timedelta(seconds=rng.randint(0, 50))
        cursor += length
        if cursor >= timedelta(minutes=session.minutes) - timedelta(minutes=1):
            break
        presses.append(cursor)
    return arrives, tuple(presses)


def plan_record(
    session: SessionSpec, story: str, people: int, rng: Random, *, qa: bool
) -> SessionRecord:
    """A believable past session: registrations (and a waitlist when it filled), who came and
    for how long, questions and votes, the host's run-sheet moves, and the feedback."""
    duration = timedelta(minutes=session.minutes)
    capacity = session.capacity
    wanted = rng.randint(9, 22) if capacity is None else capacity + rng.randint(1, 3)
    registrants = tuple(rng.sample(range(people), min(wanted, people)))
    confirmed = registrants if capacity is None else registrants[:capacity]
    arrives, presses = _presses(session, story, rng)
    stays: list[Stay] = []
    for person in confirmed:
        if rng.random() < 0.22:
            continue  # a no-show
        joined = timedelta(minutes=rng.randint(-4, 6), seconds=rng.randint(0, 59))
        left = duration - timedelta(minutes=rng.randint(0, 4))
        if rng.random() < 0.15:
            left = joined + timedelta(minutes=rng.randint(5, max(session.minutes // 2, 6)))
        stays.append(Stay(person, joined, min(left, duration)))
    attendees = [stay.person for stay in stays]
    questions: list[AskedQuestion] = []
    if qa and len(attendees) >= 3 and story != NO_HOST:
        for text in rng.sample(QUESTIONS, rng.randint(2, 4)):
            asker = rng.choice(attendees)
            voters = tuple(p for p in rng.sample(attendees, rng.randint(0, len(attendees) - 1)))
            questions.append(
                AskedQuestion(
                    asker=asker,
                    text=text,
                    at=timedelta(minutes=rng.randint(6, max(session.minutes - 8, 7))),
                    approved=rng.random() < 0.85,
                    answered=rng.random() < 0.6,
                    voters=tuple(v for v in voters if v != asker),
                )
            )
    feedback = tuple(
        FeedbackGiven(
            person=person,
            worth=rng.choice(WORTH[story]),
            different=rng.choice(DIFFERENT) if rng.random() < 0.3 else "",
            follow_up=rng.random() < 0.6,
            after_end=timedelta(minutes=rng.randint(1, 90)),
        )
        for person in attendees
        if rng.random() < 0.7
    )
    return SessionRecord(
        slug=session.slug,
        story=story,
        registrants=registrants,
        registered_before=timedelta(days=rng.randint(2, 12), minutes=rng.randint(0, 600)),
        host_arrives=arrives,
        presses=presses,
        stays=tuple(stays),
        questions=tuple(questions),
        feedback=feedback,
    )


def plan_live(
    session: SessionSpec, people: int, running: timedelta, rng: Random, *, qa: bool
) -> SessionRecord:
    """The session live now: its places taken, people in the room, and the first questions
    (some waiting for the host to moderate); the host's own arrival is left to the host."""
    capacity = session.capacity
    wanted = rng.randint(10, 20) if capacity is None else capacity + rng.randint(1, 2)
    registrants = tuple(rng.sample(range(1, people), min(wanted, people - 1)))
    registrants = (0, *registrants)  # the demo's attendee has a place, to try asking
    confirmed = registrants if capacity is None else registrants[:capacity]
    stays = tuple(
        Stay(person, timedelta(minutes=rng.randint(-5, 0)), None)
        for person in confirmed[1:]
        if rng.random() < 0.7
    )
    questions: list[AskedQuestion] = []
    minutes = int(running.total_seconds() // 60)
    attendees = [stay.person for stay in stays]
    if qa and minutes >= 1 and len(attendees) >= 3:
        for n, text in enumerate(rng.sample(QUESTIONS, 3)):
            questions.append(
                AskedQuestion(
                    asker=attendees[n],
                    text=text,
                    at=timedelta(minutes=rng.randint(0, minutes - 1), seconds=n),
                    approved=n == 0,
                    answered=False,
                    voters=tuple(attendees[n + 1 : n + 3]) if n == 0 else (),
                )
            )
    return SessionRecord(
        slug=session.slug,
        story="live",
        registrants=registrants,
        registered_before=timedelta(days=rng.randint(2, 6)),
        host_arrives=None,
        presses=(),
        stays=stays,
        questions=tuple(questions),
        feedback=(),
    )


def plan_registrations(
    session: SessionSpec, people: int, rng: Random, *, include: Sequence[int] = ()
) -> tuple[int, ...]:
    """Who has registered for a session still to come (the `include`d first)."""
    wanted = rng.randint(3, 14)
    if session.capacity is not None:
        wanted = min(wanted, session.capacity + 1)
    others = [p for p in rng.sample(range(people), min(wanted, people)) if p not in include]
    return (*include, *others)
