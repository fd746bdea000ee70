"""Festival day's read models: the front page and each session's marks, for one viewer at one
instant. Built from the published programme (`programme.queries.festival_sessions`) and the
viewer's places (`registration.personal_agenda.places`): a fixed number of queries whatever
the size of the programme. Nothing here writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from networkfest.festival_day import rules
from networkfest.festival_day.rules import MARK_LABELS, FestivalPhase, Listed, Mark
from networkfest.insights.rules import feedback_closes_at
from networkfest.insights.services import feedback_refused, my_feedback
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.published import PublishedProgramme, PublishedSession
from networkfest.programme.queries import festival_sessions
from networkfest.registration.personal_agenda import Place
from networkfest.timing.rules import ClockSettings, Phase, Slot
from networkfest.timing.services import slot_of
from networkfest.types import DbSession


@dataclass(frozen=True)
class SessionMark:
    """How one session is marked for one viewer at one instant: its mark of time (none while
    it is only scheduled) and the viewer's place in it (none for visitors and non-holders)."""

    phase: Phase
    mark: Mark | None
    place: Place | None

    @property
    def label(self) -> str | None:
        return MARK_LABELS[self.mark] if self.mark is not None else None


@dataclass(frozen=True)
class Timed:
    """A session on the front page with its mark for the viewer."""

    session: FestivalSession
    mark: SessionMark


@dataclass(frozen=True)
class FeedbackDue:
    """A session of the viewer's whose feedback form is open to them, and whether they used it."""

    session: FestivalSession
    closes_at: datetime
    given: bool


@dataclass(frozen=True)
class FrontPage:
    """What the front page shows everyone at an instant."""

    festival: Festival
    phase: FestivalPhase
    # The festival's first session that takes place: what the countdown before it counts to.
    first: FestivalSession | None
    live: list[Timed]
    next_up: list[Timed]
    # When the last session's feedback closes, while it is still open; else None.
    feedback_open_until: datetime | None
    sessions_taking_place: int

    @property
    def shows_countdown(self) -> bool:
        """Whether the page counts down to anything, so that it explains its countdowns only
        then. A reader's own countdown (their next session) is to a session that is first,
        live or next up, so it never shows on a page without one."""
        if self.phase == FestivalPhase.BEFORE:
            return self.first is not None
        return self.phase == FestivalPhase.DURING and bool(self.live or self.next_up)


@dataclass(frozen=True)
class ReaderFront:
    """What the front page says to one signed-in reader: their next session (their first,
    before the festival) and the feedback open to them."""

    yours: Timed | None
    feedback_due: list[FeedbackDue]


def festival_days(festival: Festival) -> tuple[datetime, datetime]:
    """The first day's midnight and the midnight after the last day, in the festival's zone."""
    zone = ZoneInfo(festival.timezone)
    opens = datetime.combine(festival.starts, time(0), zone)
    closes = datetime.combine(festival.ends + timedelta(days=1), time(0), zone)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def clock_settings(festival: Festival) -> ClockSettings:
    """The festival's clock settings, as timing reads them (`timing.services.slot_of`)."""
    return ClockSettings.from_minutes(festival.lobby_minutes, festival.warning_minutes)


def listed(festival_session: FestivalSession, settings: ClockSettings | None = None) -> Listed:
    """The session for the rules; `settings` saves reading the festival's again per session."""
    slot = (
        slot_of(festival_session)
        if settings is None
        else Slot(festival_session.starts_at, festival_session.ends_at, settings)
    )
    return Listed(festival_session.id, slot, festival_session.cancelled)


def session_mark(
    festival_session: FestivalSession,
    place: Place | None,
    now: datetime,
    settings: ClockSettings | None = None,
) -> SessionMark:
    phase = listed(festival_session, settings).phase(now)
    return SessionMark(phase, rules.mark(phase, festival_session.cancelled), place)


def front_page(db: DbSession, festival: Festival, now: datetime) -> FrontPage:
    """What the front page shows everyone at `now`."""
    sessions = festival_sessions(db, festival)
    by_id = {fs.id: fs for fs in sessions}
    settings = clock_settings(festival)
    listing = [listed(fs, settings) for fs in sessions]

    def timed(entry: Listed) -> Timed:
        fs = by_id[entry.key]
        return Timed(fs, session_mark(fs, None, now, settings))

    opens_at, closes_at = festival_days(festival)
    first = rules.first_session(listing)
    taking_place = [fs for fs in sessions if not fs.cancelled]
    last_closes = (
        feedback_closes_at(max(fs.ends_at for fs in taking_place)) if taking_place else None
    )
    return FrontPage(
        festival=festival,
        phase=rules.festival_phase(opens_at, closes_at, listing, now),
        first=by_id[first.key] if first is not None else None,
        live=[timed(entry) for entry in rules.live_now(listing, now)],
        next_up=[timed(entry) for entry in rules.next_up(listing, now)],
        feedback_open_until=last_closes if last_closes is not None and now < last_closes else None,
        sessions_taking_place=len(taking_place),
    )


def reader_front(
    db: DbSession, festival: Festival, held: dict[int, Place], user_id: int, now: datetime
) -> ReaderFront:
    """The reader's own part of the front page, from their places (`held`): only the
    sessions they hold are loaded, not the programme."""
    sessions = (
        db.scalars(
            select(FestivalSession)
            .where(FestivalSession.festival_id == festival.id, FestivalSession.id.in_(held))
            .order_by(FestivalSession.starts_at, FestivalSession.slug)  # the programme's order
        ).all()
        if held
        else []
    )
    by_id = {fs.id: fs for fs in sessions}
    settings = clock_settings(festival)
    yours = rules.next_for_person([listed(fs, settings) for fs in sessions], now)
    return ReaderFront(
        yours=(
            Timed(by_id[yours.key], session_mark(by_id[yours.key], held[yours.key], now, settings))
            if yours is not None
            else None
        ),
        feedback_due=_feedback_due(db, list(sessions), user_id, now),
    )


def _feedback_due(
    db: DbSession, held: list[FestivalSession], user_id: int, now: datetime
) -> list[FeedbackDue]:
    """The reader's sessions whose feedback form is open to them now (the insights slice's
    own rule decides). Only sessions that ended within the feedback window are asked about,
    so this is a handful of lookups, not one per session of the festival."""
    due = []
    for fs in sorted(held, key=lambda s: (s.ends_at, s.slug)):
        closes_at = feedback_closes_at(fs.ends_at)
        if fs.cancelled or not fs.ends_at <= now < closes_at:
            continue
        if feedback_refused(db, fs, user_id, now) is None:
            due.append(FeedbackDue(fs, closes_at, my_feedback(db, fs.id, user_id) is not None))
    return due


def published_settings(programme: PublishedProgramme) -> ClockSettings:
    """`clock_settings` from the published programme, with no festival row loaded."""
    return ClockSettings.from_minutes(programme.lobby_minutes, list(programme.warning_minutes))


def published_mark(
    published: PublishedSession, settings: ClockSettings, now: datetime
) -> tuple[Phase, Mark | None]:
    """A session's phase and mark of time at `now`, as a visitor's page shows them."""
    phase = Slot(published.starts_at, published.ends_at, settings).phase(now)
    return phase, rules.mark(phase, published.cancelled)


def _phase_changes(programme: PublishedProgramme) -> tuple[datetime, ...]:
    settings = published_settings(programme)
    return rules.phase_changes(
        Slot(fs.starts_at, fs.ends_at, settings) for fs in programme.sessions if not fs.cancelled
    )


def marks_fingerprint(
    programme: PublishedProgramme, viewer_places: dict[int, Place], now: datetime
) -> str:
    """What the programme's marks depend on: every session's phase now and the viewer's
    places. Part of the schedule page's ETag, so a cached page is not served across a start,
    an end, a lobby opening or a move on a waitlist. The instants where a phase changes are
    worked out once per copy of the programme; a request only finds where `now` falls."""
    changes = programme.derived("festival_day.phase_changes", _phase_changes)
    parts = [programme.fingerprint, str(rules.stretch(changes, now))]
    parts += [
        f"{key}={place.status}:{place.position}" for key, place in sorted(viewer_places.items())
    ]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]
