"""The dashboard's figures, computed from plain rows so they can be checked by hand.

Nothing here touches Flask or the database: the services load rows, these functions
count. Attendance counts people, not connections: several tabs or a reconnect of one
person are one attendee, and overlapping stays of one person merge before the peak.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from networkfest.commitments import tally
from networkfest.qa.rules import QuestionStatus
from networkfest.registration.rules import RegistrationStatus

SESSION_COLUMNS = (
    "slug",
    "title",
    "theme",
    "registered",
    "waitlisted",
    "attended",
    "no_show_rate",
    "peak_concurrent",
    "questions",
    "answered",
    "started_late_s",
    "overran_items",
    "ended_on_time",
    "worth_mean",
    "worth_count",
    "follow_up_yes",
)
GROUP_COLUMNS = (
    "sessions",
    "registered",
    "waitlisted",
    "attended",
    "no_show_rate",
    "peak_concurrent",
    "questions",
    "answered",
    "started_late_s_mean",
    "overran_items",
    "ended_on_time",
    "worth_mean",
    "worth_count",
    "follow_up_yes",
)
DIFFERENT_COLUMNS = ("slug", "title", "theme", "different")
FOLLOW_THROUGH_COLUMNS = tally.FOLLOW_THROUGH_COLUMNS
POLL_COLUMNS = (
    "slug",
    "title",
    "theme",
    "poll",
    "question",
    "status",
    "answered",
    "in_room",
    "share",
)


@dataclass(frozen=True)
class SessionRow:
    id: int
    slug: str
    title: str
    theme: str
    theme_name: str
    day: date
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class RegistrationRow:
    session_id: int
    user_id: int
    status: str


@dataclass(frozen=True)
class PresenceRow:
    session_id: int
    user_id: int | None
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class QuestionRow:
    session_id: int
    status: str


@dataclass(frozen=True)
class FeedbackRow:
    session_id: int
    worth: int
    different: str
    follow_up: bool


@dataclass(frozen=True)
class PollRow:
    """One poll that ran (`polls.services.PollTurnout`): how many people answered it."""

    session_id: int
    poll_id: int
    question: str
    status: str
    answered: int


@dataclass(frozen=True)
class PunctualityFigures:
    """The timing slice's verdict (`timing.rules.Verdict`): figures only when `recorded`."""

    started_late_s: int | None
    overran_items: int | None
    ended_on_time: bool | None
    verdict: str = "not_yet"


@dataclass(frozen=True)
class SessionFigures:
    slug: str
    title: str
    theme: str
    registered: int
    waitlisted: int
    attended: int
    no_show_rate: float | None
    peak_concurrent: int
    questions: int
    answered: int
    started_late_s: int | None
    overran_items: int | None
    ended_on_time: bool | None
    worth_mean: float | None
    worth_count: int
    follow_up_yes: int
    theme_name: str = ""
    day: date | None = None
    no_shows: int = 0
    worth_sum: int = 0
    punctuality: str = "not_yet"
    starts_at: datetime | None = None
    started: bool = True

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SESSION_COLUMNS}


@dataclass(frozen=True)
class GroupFigures:
    """A theme, a day or the whole festival: sums, and rates recomputed from the sums."""

    key: str
    label: str
    sessions: int
    registered: int
    waitlisted: int
    attended: int
    no_show_rate: float | None
    peak_concurrent: int
    questions: int
    answered: int
    started_late_s_mean: float | None
    overran_items: int
    ended_on_time: int
    worth_mean: float | None
    worth_count: int
    follow_up_yes: int
    recorded: int = 0
    late_starts: int = 0
    no_record: int = 0

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in GROUP_COLUMNS}


@dataclass(frozen=True)
class DifferentAnswer:
    slug: str
    title: str
    theme: str
    different: str

    def as_row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class PollFigures:
    """A poll's turnout: the share of the people in the room (its session's attendance)
    who answered it."""

    slug: str
    title: str
    theme: str
    poll: int
    question: str
    status: str
    answered: int
    in_room: int
    share: float | None

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in POLL_COLUMNS}


@dataclass(frozen=True)
class SessionPolls:
    """The polls one session ran; `share` is their mean turnout."""

    slug: str
    title: str
    theme_name: str
    in_room: int
    polls: list[PollFigures]
    share: float | None


@dataclass
class Dashboard:
    sessions: list[SessionFigures] = field(default_factory=list)
    themes: list[GroupFigures] = field(default_factory=list)
    days: list[GroupFigures] = field(default_factory=list)
    festival: GroupFigures | None = None
    different: list[DifferentAnswer] = field(default_factory=list)
    follow_through: tally.FollowThrough = field(default_factory=tally.FollowThrough)
    polls: list[SessionPolls] = field(default_factory=list)

    @property
    def polls_run(self) -> int:
        return sum(len(s.polls) for s in self.polls)

    @property
    def polls_share(self) -> float | None:
        """The mean turnout over every poll shown, each weighted by the people in its room."""
        return rate(
            sum(min(p.answered, p.in_room) for s in self.polls for p in s.polls),
            sum(p.in_room for s in self.polls for p in s.polls),
        )


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def mean(total: int | float, count: int) -> float | None:
    return round(total / count, 2) if count else None


Interval = tuple[datetime, datetime]


def stays_in_slot(
    presences: Iterable[PresenceRow], starts_at: datetime, ends_at: datetime, now: datetime
) -> dict[int, list[Interval]]:
    """Each signed-in person's time in the room during the slot, merged across tabs.

    A stay still open counts until now (or the end); time in the lobby before the
    start is not attendance, so someone who left before the start did not attend.
    """
    open_until = min(now, ends_at)
    stays: dict[int, list[Interval]] = defaultdict(list)
    for row in presences:
        if row.user_id is None:
            continue
        joined = max(row.joined_at, starts_at)
        left = min(row.left_at or open_until, ends_at)
        if left > joined:
            stays[row.user_id].append((joined, left))
    return {user: _merge(intervals) for user, intervals in stays.items()}


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def peak_concurrent(stays: dict[int, list[Interval]]) -> int:
    """Most people in the room at once, from `stays_in_slot`."""
    events = [
        (moment, step)
        for spans in stays.values()
        for a, b in spans
        for moment, step in ((a, 1), (b, -1))
    ]
    # At equal instants a leave counts before a join: a hand-over is not an overlap.
    events.sort()
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def session_figures(
    session: SessionRow,
    registrations: Sequence[RegistrationRow],
    presences: Sequence[PresenceRow],
    questions: Sequence[QuestionRow],
    feedback: Sequence[FeedbackRow],
    punctuality: PunctualityFigures | None,
    now: datetime,
) -> SessionFigures:
    confirmed = {r.user_id for r in registrations if r.status == RegistrationStatus.CONFIRMED}
    waitlisted = sum(1 for r in registrations if r.status == RegistrationStatus.WAITLISTED)
    stays = stays_in_slot(presences, session.starts_at, session.ends_at, now)
    attendees = set(stays)
    # Nobody is a no-show for a session that has not started: its places count only then.
    started = now >= session.starts_at
    no_shows = len(confirmed - attendees) if started else 0
    worth_sum = sum(f.worth for f in feedback)
    punctuality = punctuality or PunctualityFigures(None, None, None)
    return SessionFigures(
        slug=session.slug,
        title=session.title,
        theme=session.theme,
        theme_name=session.theme_name,
        day=session.day,
        registered=len(confirmed),
        waitlisted=waitlisted,
        attended=len(attendees),
        no_shows=no_shows,
        no_show_rate=rate(no_shows, len(confirmed)) if started else None,
        started=started,
        peak_concurrent=peak_concurrent(stays),
        questions=len(questions),
        answered=sum(1 for q in questions if q.status == QuestionStatus.ANSWERED),
        started_late_s=punctuality.started_late_s,
        overran_items=punctuality.overran_items,
        ended_on_time=punctuality.ended_on_time,
        punctuality=punctuality.verdict,
        starts_at=session.starts_at,
        worth_sum=worth_sum,
        worth_mean=mean(worth_sum, len(feedback)),
        worth_count=len(feedback),
        follow_up_yes=sum(1 for f in feedback if f.follow_up),
    )


def group_figures(key: str, label: str, sessions: Sequence[SessionFigures]) -> GroupFigures:
    registered = sum(s.registered for s in sessions)
    late = [s.started_late_s for s in sessions if s.started_late_s is not None]
    worth_count = sum(s.worth_count for s in sessions)
    return GroupFigures(
        key=key,
        label=label,
        sessions=len(sessions),
        registered=registered,
        waitlisted=sum(s.waitlisted for s in sessions),
        attended=sum(s.attended for s in sessions),
        no_show_rate=rate(
            sum(s.no_shows for s in sessions), sum(s.registered for s in sessions if s.started)
        ),
        peak_concurrent=max((s.peak_concurrent for s in sessions), default=0),
        questions=sum(s.questions for s in sessions),
        answered=sum(s.answered for s in sessions),
        started_late_s_mean=mean(sum(late), len(late)),
        overran_items=sum(s.overran_items or 0 for s in sessions),
        ended_on_time=sum(1 for s in sessions if s.ended_on_time),
        worth_mean=mean(sum(s.worth_sum for s in sessions), worth_count),
        worth_count=worth_count,
        follow_up_yes=sum(s.follow_up_yes for s in sessions),
        recorded=len(late),
        late_starts=sum(1 for seconds in late if seconds > 0),
        no_record=sum(1 for s in sessions if s.punctuality == "no_record"),
    )


def dashboard(
    sessions: Sequence[SessionRow],
    registrations: Sequence[RegistrationRow],
    presences: Sequence[PresenceRow],
    questions: Sequence[QuestionRow],
    feedback: Sequence[FeedbackRow],
    punctuality: dict[int, PunctualityFigures],
    themes: Sequence[tuple[str, str]],
    now: datetime,
    day_label: Any = str,
    follow_through: Mapping[int, tally.Tally] | None = None,
    polls: Sequence[PollRow] = (),
) -> Dashboard:
    """Every table of the dashboard; `themes` are (slug, name) in the festival's order,
    `follow_through` each session's commitments (`commitments.figures`), `polls` the polls
    that ran."""
    by_session: dict[str, dict[int, list[Any]]] = {
        name: defaultdict(list) for name in ("registrations", "presences", "questions", "feedback")
    }
    for name, rows in (
        ("registrations", registrations),
        ("presences", presences),
        ("questions", questions),
        ("feedback", feedback),
    ):
        for row in rows:
            by_session[name][row.session_id].append(row)
    figures = [
        session_figures(
            s,
            by_session["registrations"][s.id],
            by_session["presences"][s.id],
            by_session["questions"][s.id],
            by_session["feedback"][s.id],
            punctuality.get(s.id),
            now,
        )
        for s in sessions
    ]
    result = Dashboard(sessions=figures)
    result.themes = [
        group_figures(slug, name, [f for f in figures if f.theme == slug])
        for slug, name in themes
        if any(f.theme == slug for f in figures)
    ]
    days = sorted({f.day for f in figures if f.day is not None})
    result.days = [
        group_figures(day.isoformat(), day_label(day), [f for f in figures if f.day == day])
        for day in days
    ]
    result.festival = group_figures("festival", "Whole festival", figures)
    session_by_id = {s.id: s for s in sessions}
    answers = [
        DifferentAnswer(
            slug=session_by_id[f.session_id].slug,
            title=session_by_id[f.session_id].title,
            theme=session_by_id[f.session_id].theme,
            different=f.different,
        )
        for f in feedback
        if f.different and f.session_id in session_by_id
    ]
    # Grouped by session, then by the text itself: nothing hints at who wrote what.
    order = {s.id: i for i, s in enumerate(sessions)}
    slug_order = {s.slug: order[s.id] for s in sessions}
    result.different = sorted(answers, key=lambda a: (slug_order[a.slug], a.different.casefold()))
    refs = [tally.SessionRef(s.id, s.slug, s.title, s.theme, s.theme_name) for s in sessions]
    result.follow_through = tally.summarise(
        tally.session_lines(refs, follow_through or {}), themes, "Whole festival"
    )
    result.polls = session_polls(sessions, figures, polls)
    return result


def session_polls(
    sessions: Sequence[SessionRow], figures: Sequence[SessionFigures], polls: Sequence[PollRow]
) -> list[SessionPolls]:
    """Each session that ran a poll, in the sessions' order, with every poll's turnout.

    The people in the room are the session's attendance; an answer from someone the
    presence record missed never makes a share above 100%.
    """
    by_session: dict[int, list[PollRow]] = defaultdict(list)
    for poll in polls:
        by_session[poll.session_id].append(poll)
    result = []
    for session, figure in zip(sessions, figures, strict=True):
        if not by_session[session.id]:
            continue
        in_room = figure.attended
        lines = [
            PollFigures(
                slug=session.slug,
                title=session.title,
                theme=session.theme,
                poll=poll.poll_id,
                question=poll.question,
                status=poll.status,
                answered=poll.answered,
                in_room=in_room,
                share=rate(min(poll.answered, in_room), in_room),
            )
            for poll in by_session[session.id]
        ]
        result.append(
            SessionPolls(
                slug=session.slug,
                title=session.title,
                theme_name=session.theme_name,
                in_room=in_room,
                polls=lines,
                share=rate(sum(min(p.answered, in_room) for p in lines), in_room * len(lines)),
            )
        )
    return result


# The sessions table's figures in its four groups, each with its heading. The table's headings
# and the "Sort sessions by" menu both read them; the keys are the public `?sort=` values.
SESSION_SORT_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Attendance",
        (
            ("registered", "Registered"),
            ("waitlisted", "Waitlist"),
            ("attended", "Attended"),
            ("no_show_rate", "No-show rate"),
            ("peak_concurrent", "Peak"),
        ),
    ),
    ("Questions", (("questions", "Asked"), ("answered", "Answered"))),
    (
        "Time",
        (
            ("started_late_s", "Late start"),
            ("overran_items", "Items overrun"),
            ("ended_on_time", "On time"),
        ),
    ),
    (
        "Worth it",
        (
            ("worth_mean", "Mean score"),
            ("worth_count", "Answers"),
            ("follow_up_yes", "Follow-up yes"),
        ),
    ),
)
# Every way to sort the sessions, in the menu's order, with its words.
SORT_LABELS: dict[str, str] = {
    "starts": "Start time",
    "title": "Title",
    "theme": "Theme",
    **{key: label for _, columns in SESSION_SORT_GROUPS for key, label in columns},
}
SORTABLE = tuple(SORT_LABELS)


def sort_sessions(
    figures: list[SessionFigures], starts: dict[str, datetime], key: str, descending: bool
) -> list[SessionFigures]:
    """Sort by a column; sessions without a figure (None) always go last."""
    if key == "starts" or key not in SESSION_COLUMNS:
        return sorted(figures, key=lambda f: starts[f.slug], reverse=descending)
    present = [f for f in figures if getattr(f, key) is not None]
    missing = [f for f in figures if getattr(f, key) is None]
    present.sort(key=lambda f: (getattr(f, key), starts[f.slug]), reverse=descending)
    return present + sorted(missing, key=lambda f: starts[f.slug])


# The dashboard's filters -------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The dashboard's query parameters, checked: unknown values fall back to 'all'."""

    theme: str = ""
    day: str = ""
    sort: str = "starts"
    descending: bool = False

    @classmethod
    def parse(
        cls, args: Mapping[str, str], theme_slugs: Sequence[str], days: Sequence[date]
    ) -> Filters:
        theme = args.get("theme", "")
        day = args.get("day", "")
        sort = args.get("sort", "starts")
        return cls(
            theme=theme if theme in theme_slugs else "",
            day=day if day in {d.isoformat() for d in days} else "",
            sort=sort if sort in SORTABLE else "starts",
            descending=args.get("dir") == "desc",
        )

    @property
    def active(self) -> bool:
        """Whether the sessions are narrowed to a theme or a day."""
        return bool(self.theme or self.day)

    def params(self, **overrides: str) -> dict[str, str]:
        """The query string for a link that keeps these filters, with `overrides`."""
        values = {
            "theme": self.theme,
            "day": self.day,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value}


def days_of(result: Dashboard) -> list[date]:
    """The festival days that have a session, for the day filter."""
    return sorted({f.day for f in result.sessions if f.day is not None})


def day_of(result: Dashboard, slug: str) -> str:
    """The festival day of the session `slug` as an ISO date ('' when it has none)."""
    day = next(f.day for f in result.sessions if f.slug == slug)
    return day.isoformat() if day else ""


def matching(result: Dashboard, filters: Filters) -> set[str]:
    """The slugs of the sessions the filters keep."""
    return {
        f.slug
        for f in result.sessions
        if (not filters.theme or f.theme == filters.theme)
        and (not filters.day or day_of(result, f.slug) == filters.day)
    }


def refilter(result: Dashboard, slugs: set[str]) -> Dashboard:
    """Recompute the group tables over the sessions `slugs` only."""
    kept = [f for f in result.sessions if f.slug in slugs]
    narrowed = Dashboard(sessions=kept)
    themes = {f.theme: f.theme_name for f in kept}
    theme_order = [(t.key, t.label) for t in result.themes]
    narrowed.themes = [
        group_figures(slug, name, [f for f in kept if f.theme == slug])
        for slug, name in theme_order
        if slug in themes
    ]
    by_day: dict[str, list[SessionFigures]] = {}
    for f in kept:
        if f.day is not None:
            by_day.setdefault(f.day.isoformat(), []).append(f)
    narrowed.days = [
        group_figures(d.key, d.label, by_day[d.key]) for d in result.days if d.key in by_day
    ]
    narrowed.festival = group_figures("festival", "Selected sessions", kept)
    narrowed.different = [a for a in result.different if a.slug in slugs]
    narrowed.follow_through = tally.summarise(
        [line for line in result.follow_through.sessions if line.slug in slugs],
        theme_order,
        "Selected sessions",
    )
    narrowed.polls = [s for s in result.polls if s.slug in slugs]
    return narrowed


TABLES = ("sessions", "themes", "days", "different", "follow-through", "polls")


def table(result: Dashboard, name: str) -> tuple[Sequence[str], list[dict[str, Any]]]:
    """One of the dashboard's `TABLES` as columns and rows, for its CSV."""
    if name == "sessions":
        return SESSION_COLUMNS, [f.as_row() for f in result.sessions]
    if name == "different":
        return DIFFERENT_COLUMNS, [a.as_row() for a in result.different]
    if name == "follow-through":
        return FOLLOW_THROUGH_COLUMNS, [line.as_row() for line in result.follow_through.sessions]
    if name == "polls":
        return POLL_COLUMNS, [poll.as_row() for s in result.polls for poll in s.polls]
    groups = result.themes if name == "themes" else result.days
    return ("key", "label", *GROUP_COLUMNS), [
        {"key": g.key, "label": g.label, **g.as_row()} for g in groups
    ]
