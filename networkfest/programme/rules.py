"""Schedule files: parse the TOML an organiser writes and check it, reporting every problem at once.

Pure: no Flask, no database, no clock. The result is plain dataclasses that the publishing
service turns into rows, so checking and publishing can never disagree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from networkfest.formatting import how_many


class SessionFormat(StrEnum):
    TALK = "talk"
    PEER_CIRCLE = "peer-circle"
    WORKSHOP = "workshop"
    PANEL = "panel"


class QaMode(StrEnum):
    OPEN = "open"
    MODERATED = "moderated"
    OFF = "off"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


FORMATS = tuple(SessionFormat)
# How the programme names each format.
FORMAT_LABELS: dict[str, str] = {
    SessionFormat.TALK: "Talk",
    SessionFormat.PEER_CIRCLE: "Peer circle",
    SessionFormat.WORKSHOP: "Workshop",
    SessionFormat.PANEL: "Panel",
}
QA_MODES = tuple(QaMode)


class PollResults(StrEnum):
    """When a poll's counts are shown: as answers come in, or once the host closes it."""

    LIVE = "live"
    CLOSED = "closed"


POLL_RESULTS = tuple(PollResults)
POLL_FIELDS = {"question", "options", "multiple", "results"}
MAX_POLL_QUESTION = 200
MAX_POLL_OPTION = 100
MIN_POLL_OPTIONS = 2
MAX_POLL_OPTIONS = 10
MAX_PREPARED_POLLS = 20
MAX_THEMES = 3
DEFAULT_LOBBY_MINUTES = 10
DEFAULT_WARNINGS = (5, 1)
# Weeks after a session that its commitments are followed up by mail; 0 turns it off.
DEFAULT_FOLLOW_UP_WEEKS = 4
MAX_FOLLOW_UP_WEEKS = 52
DEFAULT_QA = QaMode.MODERATED
# A festival's days keep clear of the calendar's limits (9999-12-31), so that every time worked
# out from them exists: session ends in UTC, follow-ups up to a year later, the feeds' zone
# data. Zone rules are only sure from 1970.
EARLIEST_FESTIVAL_DAY = date(1970, 1, 1)
LATEST_FESTIVAL_DAY = date(9998, 12, 31)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FESTIVAL_FIELDS = {
    "name",
    "slug",
    "timezone",
    "starts",
    "ends",
    "themes",
    "clock",
    "follow_up_weeks",
}
FESTIVAL_REQUIRED = ("name", "slug", "timezone", "starts", "ends", "themes")
CLOCK_FIELDS = {"lobby_minutes", "warnings"}
THEME_FIELDS = {"slug", "name"}
HOST_FIELDS = {"email", "name"}
AGENDA_FIELDS = {"title", "minutes"}
SESSION_FIELDS = {
    "slug",
    "title",
    "theme",
    "purpose",
    "format",
    "starts",
    "minutes",
    "capacity",
    "hosts",
    "join_url",
    "qa",
    "description",
    "agenda",
    "polls",
}
SESSION_REQUIRED = (
    "slug",
    "title",
    "theme",
    "purpose",
    "format",
    "starts",
    "minutes",
    "join_url",
    "agenda",
)
TOP_LEVEL_FIELDS = {"festival", "session", "host"}
LIMITS = {"name": 200, "title": 200, "purpose": 500, "slug": 80, "join_url": 500}
MAX_SESSION_MINUTES = 8 * 60
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a schedule file, located precisely enough to fix it."""

    severity: str  # "error" or "warning"
    location: str  # "file", "festival", 'session "slug"' or "session #3"
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}, {self.field}" if self.field else self.location
        return f"{self.severity}: {where}: {self.message}"


@dataclass(frozen=True)
class ThemeSpec:
    slug: str
    name: str


@dataclass(frozen=True)
class AgendaSpec:
    title: str
    minutes: int


@dataclass(frozen=True)
class PollSpec:
    """A poll prepared in the schedule file, for the hosts to open in the live room."""

    question: str
    options: tuple[str, ...]
    multiple: bool = False
    results: str = PollResults.LIVE

    def as_json(self) -> dict[str, Any]:
        """As the session row keeps it (and publishing compares it)."""
        return {
            "question": self.question,
            "options": list(self.options),
            "multiple": self.multiple,
            "results": self.results,
        }


class PollFault(StrEnum):
    """What can be wrong with a poll: one list of checks, worded for whoever reads it (the
    schedule checker here, the host at the room's form in `polls.rules`)."""

    NO_QUESTION = "no_question"
    QUESTION_TOO_LONG = "question_too_long"
    OPTIONS_NOT_A_LIST = "options_not_a_list"
    OPTION_COUNT = "option_count"
    EMPTY_OPTION = "empty_option"
    OPTION_TOO_LONG = "option_too_long"
    OPTION_TWICE = "option_twice"
    MULTIPLE_NOT_BOOLEAN = "multiple_not_boolean"
    UNKNOWN_RESULTS = "unknown_results"


TOO_LONG_FAULTS = frozenset({PollFault.QUESTION_TOO_LONG, PollFault.OPTION_TOO_LONG})


@dataclass(frozen=True)
class PollProblem:
    """One thing wrong with a poll. `index` is the option's place (from 1), for the option
    faults; `detail` the length, the count, the repeated option or the unknown value."""

    fault: PollFault
    index: int | None = None
    detail: Any = None

    @property
    def field(self) -> str:
        """The schedule file's name for where the problem is."""
        if self.index is not None:
            return f"options[{self.index}]"
        if self.fault in (PollFault.NO_QUESTION, PollFault.QUESTION_TOO_LONG):
            return "question"
        if self.fault == PollFault.MULTIPLE_NOT_BOOLEAN:
            return "multiple"
        if self.fault == PollFault.UNKNOWN_RESULTS:
            return "results"
        return "options"

    def worded(self, words: Mapping[PollFault, str]) -> str:
        """The problem in one reader's words: `words` holds a template per fault, filled
        with the option's `index` and the `detail`."""
        return words[self.fault].format(index=self.index, detail=self.detail)

    def for_schedule(self) -> str:
        """The schedule checker's words, which organisers (and their tests) rely on."""
        return self.worded(SCHEDULE_WORDS)


SCHEDULE_WORDS: dict[PollFault, str] = {
    PollFault.NO_QUESTION: "must be a non-empty text",
    PollFault.EMPTY_OPTION: "must be a non-empty text",
    PollFault.QUESTION_TOO_LONG: (
        f"is too long ({{detail}} characters; at most {MAX_POLL_QUESTION})"
    ),
    PollFault.OPTION_TOO_LONG: f"is too long ({{detail}} characters; at most {MAX_POLL_OPTION})",
    PollFault.OPTIONS_NOT_A_LIST: "must be a list of texts",
    PollFault.OPTION_COUNT: (
        f"a poll needs {MIN_POLL_OPTIONS} to {MAX_POLL_OPTIONS} options (got {{detail}})"
    ),
    PollFault.OPTION_TWICE: "{detail!r} is listed twice",
    PollFault.MULTIPLE_NOT_BOOLEAN: "must be true or false",
    PollFault.UNKNOWN_RESULTS: f"{{detail!r}} is not one of: {', '.join(POLL_RESULTS)}",
}


def check_poll(
    question: Any, options: Any, multiple: Any, results: Any
) -> tuple[PollSpec | None, list[PollProblem]]:
    """Check one poll, from a schedule file or written by a host in the room: the poll, or
    everything wrong with it. One rule for both, so they cannot disagree."""
    problems: list[PollProblem] = []
    text = question.strip() if isinstance(question, str) else None
    if not text:
        problems.append(PollProblem(PollFault.NO_QUESTION))
    elif len(text) > MAX_POLL_QUESTION:
        problems.append(PollProblem(PollFault.QUESTION_TOO_LONG, detail=len(text)))
    cleaned: list[str] = []
    if not isinstance(options, list | tuple):
        problems.append(PollProblem(PollFault.OPTIONS_NOT_A_LIST))
    else:
        if not MIN_POLL_OPTIONS <= len(options) <= MAX_POLL_OPTIONS:
            problems.append(PollProblem(PollFault.OPTION_COUNT, detail=len(options)))
        seen: set[str] = set()
        for index, option in enumerate(options, start=1):
            if not isinstance(option, str) or not option.strip():
                problems.append(PollProblem(PollFault.EMPTY_OPTION, index))
                continue
            value = option.strip()
            if len(value) > MAX_POLL_OPTION:
                problems.append(PollProblem(PollFault.OPTION_TOO_LONG, index, len(value)))
            elif value.casefold() in seen:
                problems.append(PollProblem(PollFault.OPTION_TWICE, index, value))
            else:
                seen.add(value.casefold())
                cleaned.append(value)
    if not isinstance(multiple, bool):
        problems.append(PollProblem(PollFault.MULTIPLE_NOT_BOOLEAN))
    if results not in POLL_RESULTS:
        problems.append(PollProblem(PollFault.UNKNOWN_RESULTS, detail=results))
    if problems or text is None:
        return None, problems
    return PollSpec(text, tuple(cleaned), bool(multiple), str(results)), []


def poll_problems(
    question: Any, options: Any, multiple: Any, results: Any
) -> tuple[PollSpec | None, list[tuple[str, str]]]:
    """`check_poll` in the schedule checker's words: the poll, or every (field, message)."""
    spec, problems = check_poll(question, options, multiple, results)
    return spec, [(problem.field, problem.for_schedule()) for problem in problems]


@dataclass(frozen=True)
class SessionSpec:
    slug: str
    title: str
    theme: str
    purpose: str
    format: str
    starts_at: datetime  # aware, UTC
    minutes: int
    capacity: int | None
    hosts: tuple[str, ...]  # normalised e-mail addresses
    join_url: str
    qa: str
    description: str
    agenda: tuple[AgendaSpec, ...]
    polls: tuple[PollSpec, ...] = ()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class FestivalSpec:
    name: str
    slug: str
    timezone: str
    starts: date
    ends: date
    themes: tuple[ThemeSpec, ...]
    lobby_minutes: int = DEFAULT_LOBBY_MINUTES
    warnings: tuple[int, ...] = DEFAULT_WARNINGS
    follow_up_weeks: int = DEFAULT_FOLLOW_UP_WEEKS


@dataclass(frozen=True)
class Schedule:
    festival: FestivalSpec
    sessions: tuple[SessionSpec, ...]
    host_names: dict[str, str] = field(default_factory=dict)

    def host_name(self, email: str) -> str:
        return self.host_names.get(email) or name_from_email(email)

    def fingerprint(self) -> str:
        """A hash of what the file means, not how it is written: comments do not count."""
        data = dataclasses.asdict(self)
        return hashlib.sha256(
            json.dumps(data, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()


@dataclass
class CheckResult:
    schedule: Schedule | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.schedule is not None and not self.errors


def name_from_email(email: str) -> str:
    """'amira.hassan@example.org' -> 'Amira Hassan': a readable name until the host sets one."""
    local = email.split("@", 1)[0]
    words = [w for w in re.split(r"[._+\-]+", local) if w]
    return " ".join(w.capitalize() for w in words) or local


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """A wall-clock time in the zone as a UTC instant; ValueError if it is skipped or repeated,
    OverflowError if it is within a day of the calendar's first or last day."""
    zone = ZoneInfo(timezone)
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M} does not exist in {timezone} (the clocks go forward): "
            "choose another time"
        )
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M} happens twice in {timezone} (the clocks go back): "
            "choose another time"
        )
    return first.astimezone(UTC)


def check(text: str) -> CheckResult:
    """Parse and check a schedule file; every problem at once, errors and warnings."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return CheckResult(None, [Problem("error", "file", "", f"not valid TOML: {error}")])
    except RecursionError:
        # tomllib recurses once per level of nested arrays and inline tables.
        return CheckResult(
            None,
            [
                Problem(
                    "error",
                    "file",
                    "",
                    "nested too deeply to read: a schedule needs no more "
                    "than a few levels of arrays and tables",
                )
            ],
        )
    return _Checker(data).run()


def double_bookings(sessions: Iterable[SessionSpec]) -> list[Problem]:
    """A host cannot be in two places at once: an error for each host of two sessions that
    overlap. Part of `check`, and on its own for a programme made without a file (the demo's)."""
    problems: list[Problem] = []
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            for host in sorted(set(first.hosts) & set(second.hosts)):
                problems.append(
                    Problem(
                        "error",
                        f"session {second.slug!r}",
                        "hosts",
                        f"{host} is double-booked: this session overlaps {first.slug!r}",
                    )
                )
    return problems


class _Checker:
    """Walks the parsed TOML once, collecting problems instead of stopping at the first."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []

    def error(self, location: str, field_: str, message: str) -> None:
        self.problems.append(Problem("error", location, field_, message))

    def warning(self, location: str, field_: str, message: str) -> None:
        self.problems.append(Problem("warning", location, field_, message))

    def run(self) -> CheckResult:
        for key in sorted(set(self.data) - TOP_LEVEL_FIELDS):
            self.error("file", key, "unknown top-level field (expected festival, session, host)")
        festival = self.festival()
        host_names = self.hosts()
        sessions = self.sessions(festival)
        self.problems.extend(double_bookings(sessions))
        if self.errors_found() or festival is None:
            return CheckResult(None, self.problems)
        return CheckResult(Schedule(festival, tuple(sessions), host_names), self.problems)

    def errors_found(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # -- generic field readers -------------------------------------------------------------

    def unknown(self, table: dict[str, Any], allowed: set[str], location: str, what: str) -> None:
        for key in sorted(set(table) - allowed):
            self.error(location, key, f"unknown {what} field")

    def required(self, table: dict[str, Any], names: tuple[str, ...], location: str) -> None:
        for name in names:
            if name not in table:
                self.error(location, name, "missing (this field is required)")

    def text(self, table: dict[str, Any], name: str, location: str, limit: int) -> str | None:
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(location, name, "must be a non-empty text")
            return None
        if len(value) > limit:
            self.error(location, name, f"is too long ({len(value)} characters; at most {limit})")
            return None
        return value.strip()

    def slug(self, table: dict[str, Any], name: str, location: str) -> str | None:
        value = self.text(table, name, location, LIMITS["slug"])
        if value is not None and not SLUG_RE.match(value):
            self.error(
                location, name, f"{value!r} is not a slug (lower-case letters, digits, hyphens)"
            )
            return None
        return value

    def integer(
        self, table: dict[str, Any], name: str, location: str, low: int, high: int
    ) -> int | None:
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(location, name, "must be a whole number")
            return None
        if not low <= value <= high:
            self.error(location, name, f"must be between {low} and {high} (got {value})")
            return None
        return value

    def table_list(self, value: Any, location: str, name: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(location, name, "must be a list of tables ({ ... } entries)")
            return []
        return value

    # -- festival --------------------------------------------------------------------------

    def festival(self) -> FestivalSpec | None:
        table = self.data.get("festival")
        if table is None:
            self.error("festival", "", "missing the [festival] table")
            return None
        if not isinstance(table, dict):
            self.error("festival", "", "must be a table: [festival]")
            return None
        location = "festival"
        self.unknown(table, FESTIVAL_FIELDS, location, "festival")
        self.required(table, FESTIVAL_REQUIRED, location)
        name = self.text(table, "name", location, LIMITS["name"])
        slug = self.slug(table, "slug", location)
        timezone = self.timezone(table.get("timezone"))
        starts, ends = self.days(table)
        themes = self.themes(table.get("themes"))
        lobby, warnings = self.clock(table.get("clock"))
        follow_up_weeks = self.integer(table, "follow_up_weeks", location, 0, MAX_FOLLOW_UP_WEEKS)
        if None in (name, slug, timezone, starts, ends) or themes is None:
            return None
        assert name and slug and timezone and starts and ends
        return FestivalSpec(
            name,
            slug,
            timezone,
            starts,
            ends,
            themes,
            lobby,
            warnings,
            DEFAULT_FOLLOW_UP_WEEKS if follow_up_weeks is None else follow_up_weeks,
        )

    def timezone(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.error("festival", "timezone", "must be an IANA time zone name")
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.error(
                "festival",
                "timezone",
                f"{value!r} is not an IANA time zone name (for example Europe/London)",
            )
            return None
        return value

    def days(self, table: dict[str, Any]) -> tuple[date | None, date | None]:
        found: dict[str, date | None] = {}
        for name in ("starts", "ends"):
            value = table.get(name)
            if value is None:
                found[name] = None
            elif isinstance(value, datetime) or not isinstance(value, date):
                self.error("festival", name, "must be a date such as 2026-09-21 (no time)")
                found[name] = None
            elif not EARLIEST_FESTIVAL_DAY <= value <= LATEST_FESTIVAL_DAY:
                self.error(
                    "festival",
                    name,
                    f"must be a date from {EARLIEST_FESTIVAL_DAY} to {LATEST_FESTIVAL_DAY} "
                    f"(got {value})",
                )
                found[name] = None
            else:
                found[name] = value
        starts, ends = found["starts"], found["ends"]
        if starts and ends and ends < starts:
            self.error("festival", "ends", f"the last day {ends} is before the first day {starts}")
            return starts, None
        return starts, ends

    def themes(self, value: Any) -> tuple[ThemeSpec, ...] | None:
        if value is None:
            return None
        entries = self.table_list(value, "festival", "themes")
        if not entries:
            if isinstance(value, list):
                self.error("festival", "themes", "name at least one theme")
            return None
        if len(entries) > MAX_THEMES:
            self.error(
                "festival",
                "themes",
                f"{len(entries)} themes: a festival has at most {MAX_THEMES}; be ruthless",
            )
        themes: list[ThemeSpec] = []
        seen: set[str] = set()
        for index, entry in enumerate(entries, start=1):
            location = f"festival, theme #{index}"
            self.unknown(entry, THEME_FIELDS, location, "theme")
            self.required(entry, ("slug", "name"), location)
            slug = self.slug(entry, "slug", location)
            name = self.text(entry, "name", location, LIMITS["name"])
            if slug in seen:
                self.error(location, "slug", f"duplicate theme slug {slug!r}")
                continue
            if slug and name:
                seen.add(slug)
                themes.append(ThemeSpec(slug, name))
        return tuple(themes)

    def clock(self, value: Any) -> tuple[int, tuple[int, ...]]:
        if value is None:
            return DEFAULT_LOBBY_MINUTES, DEFAULT_WARNINGS
        location = "festival.clock"
        if not isinstance(value, dict):
            self.error(location, "", "must be a table: [festival.clock]")
            return DEFAULT_LOBBY_MINUTES, DEFAULT_WARNINGS
        self.unknown(value, CLOCK_FIELDS, location, "clock")
        lobby = self.integer(value, "lobby_minutes", location, 0, 60)
        warnings = DEFAULT_WARNINGS
        raw = value.get("warnings")
        if raw is not None:
            if (
                not isinstance(raw, list)
                or not all(isinstance(w, int) and not isinstance(w, bool) for w in raw)
                or not all(1 <= w <= 120 for w in raw)
            ):
                self.error(location, "warnings", "must be a list of minutes from 1 to 120")
            elif len(set(raw)) != len(raw):
                self.error(location, "warnings", "lists the same minute twice")
            else:
                warnings = tuple(sorted(raw, reverse=True))
        return (DEFAULT_LOBBY_MINUTES if lobby is None else lobby), warnings

    # -- hosts ------------------------------------------------------------------------------

    def email(self, value: Any, location: str, field_: str) -> str | None:
        if not isinstance(value, str):
            self.error(location, field_, "must be an e-mail address")
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            self.error(location, field_, f"{value!r} is not a valid e-mail address: {error}")
            return None

    def hosts(self) -> dict[str, str]:
        value = self.data.get("host")
        if value is None:
            return {}
        names: dict[str, str] = {}
        for index, entry in enumerate(self.table_list(value, "file", "host"), start=1):
            location = f"host #{index}"
            self.unknown(entry, HOST_FIELDS, location, "host")
            self.required(entry, ("email", "name"), location)
            email = self.email(entry["email"], location, "email") if "email" in entry else None
            name = self.text(entry, "name", location, 120)
            if email in names:
                self.error(location, "email", f"{email} is listed twice")
            elif email and name:
                names[email] = name
        return names

    # -- sessions ---------------------------------------------------------------------------

    def sessions(self, festival: FestivalSpec | None) -> list[SessionSpec]:
        value = self.data.get("session")
        if value is None:
            self.error("file", "session", "no sessions: add [[session]] tables")
            return []
        sessions: list[SessionSpec] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(self.table_list(value, "file", "session"), start=1):
            raw_slug = entry.get("slug")
            location = (
                f"session {raw_slug!r}"
                if isinstance(raw_slug, str) and raw_slug
                else f"session #{index}"
            )
            spec = self.session(entry, location, festival)
            if isinstance(raw_slug, str) and raw_slug in seen:
                self.error(
                    location, "slug", f"duplicate session slug (also session #{seen[raw_slug]})"
                )
                continue
            if isinstance(raw_slug, str):
                seen[raw_slug] = index
            if spec is not None:
                sessions.append(spec)
        return sessions

    def session(
        self, entry: dict[str, Any], location: str, festival: FestivalSpec | None
    ) -> SessionSpec | None:
        self.unknown(entry, SESSION_FIELDS, location, "session")
        self.required(entry, SESSION_REQUIRED, location)
        slug = self.slug(entry, "slug", location)
        title = self.text(entry, "title", location, LIMITS["title"])
        purpose = self.text(entry, "purpose", location, LIMITS["purpose"])
        theme = self.session_theme(entry, location, festival)
        format_ = self.choice(entry, "format", location, FORMATS, None)
        qa = self.choice(entry, "qa", location, QA_MODES, DEFAULT_QA)
        minutes = self.minutes(entry, location)
        starts_at = self.starts(entry, location, festival, minutes)
        capacity = self.capacity(entry, location)
        hosts = self.session_hosts(entry, location)
        join_url = self.url(entry, "join_url", location)
        description = self.description(entry, location)
        agenda = self.agenda(entry.get("agenda"), location, minutes)
        polls = self.polls(entry.get("polls"), location)
        values = (slug, title, purpose, theme, format_, qa, minutes, starts_at, join_url, agenda)
        if any(v is None for v in values) or hosts is None or description is None or polls is None:
            return None
        assert slug and title and purpose and theme and format_ and qa and minutes
        assert starts_at and join_url and agenda is not None
        return SessionSpec(
            slug=slug,
            title=title,
            theme=theme,
            purpose=purpose,
            format=format_,
            starts_at=starts_at,
            minutes=minutes,
            capacity=capacity,
            hosts=hosts,
            join_url=join_url,
            qa=qa,
            description=description,
            agenda=agenda,
            polls=polls,
        )

    def session_theme(
        self, entry: dict[str, Any], location: str, festival: FestivalSpec | None
    ) -> str | None:
        theme = self.text(entry, "theme", location, LIMITS["slug"])
        if theme is None or festival is None:
            return theme
        known = [t.slug for t in festival.themes]
        if theme not in known:
            self.error(
                location,
                "theme",
                f"{theme!r} is not one of the festival's themes ({', '.join(known)})",
            )
            return None
        return theme

    def choice(
        self,
        entry: dict[str, Any],
        name: str,
        location: str,
        allowed: tuple[str, ...],
        default: str | None,
    ) -> str | None:
        value = entry.get(name)
        if value is None:
            return default
        if value not in allowed:
            self.error(location, name, f"{value!r} is not one of: {', '.join(allowed)}")
            return None
        return str(value)

    def minutes(self, entry: dict[str, Any], location: str) -> int | None:
        value = entry.get("minutes")
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(location, "minutes", "must be a whole number of minutes")
            return None
        if value <= 0:
            self.error(
                location,
                "minutes",
                f"must be more than 0 (got {value}): the end must follow the start",
            )
            return None
        if value > MAX_SESSION_MINUTES:
            self.error(location, "minutes", f"at most {MAX_SESSION_MINUTES} (got {value})")
            return None
        return value

    def starts(
        self,
        entry: dict[str, Any],
        location: str,
        festival: FestivalSpec | None,
        minutes: int | None,
    ) -> datetime | None:
        value = entry.get("starts")
        if value is None:
            return None
        if not isinstance(value, datetime):
            self.error(
                location, "starts", "must be a local date and time such as 2026-09-21T10:00:00"
            )
            return None
        if festival is None:
            return None
        outside = (
            f"the session falls outside the festival's days "
            f"({festival.starts} to {festival.ends}, {festival.timezone})"
        )
        zone = ZoneInfo(festival.timezone)
        try:
            if value.tzinfo is None:
                starts_at = local_to_utc(value, festival.timezone)
            else:
                starts_at = value.astimezone(UTC)
            first_day = starts_at.astimezone(zone).date()
            ends_at = starts_at + timedelta(minutes=minutes or 1)
            last_day = (ends_at - timedelta(minutes=1)).astimezone(zone).date()
        except ValueError as error:  # from `local_to_utc`: a skipped or repeated local time
            self.error(location, "starts", str(error))
            return None
        except OverflowError:
            # The start or end lies beyond the calendar's first or last day, so far outside
            # the festival's days (which keep clear of those limits); and no spec may have an
            # end that cannot be worked out.
            self.error(location, "starts", outside)
            return None
        if first_day < festival.starts or last_day > festival.ends:
            self.error(location, "starts", outside)
        return starts_at

    def capacity(self, entry: dict[str, Any], location: str) -> int | None:
        value = entry.get("capacity")
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.error(
                location, "capacity", "must be a whole number of places, at least 1 (or left out)"
            )
            return None
        if value > 100_000:
            self.error(location, "capacity", "at most 100000 (leave it out for unlimited)")
            return None
        return value

    def session_hosts(self, entry: dict[str, Any], location: str) -> tuple[str, ...] | None:
        value = entry.get("hosts", [])
        if not isinstance(value, list):
            self.error(location, "hosts", "must be a list of e-mail addresses")
            return None
        hosts: list[str] = []
        ok = True
        for index, raw in enumerate(value, start=1):
            email = self.email(raw, location, f"hosts[{index}]")
            if email is None:
                ok = False
            elif email in hosts:
                self.error(location, f"hosts[{index}]", f"{email} is listed twice")
                ok = False
            else:
                hosts.append(email)
        return tuple(hosts) if ok else None

    def url(self, entry: dict[str, Any], name: str, location: str) -> str | None:
        value = self.text(entry, name, location, LIMITS["join_url"])
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", value):
            self.error(location, name, f"{value!r} is not a web address (http:// or https://)")
            return None
        return value

    def description(self, entry: dict[str, Any], location: str) -> str | None:
        value = entry.get("description", "")
        if not isinstance(value, str):
            self.error(location, "description", "must be text (Markdown)")
            return None
        if len(value) > MAX_DESCRIPTION:
            self.error(location, "description", f"too long (at most {MAX_DESCRIPTION} characters)")
            return None
        return value.strip()

    def agenda(
        self, value: Any, location: str, minutes: int | None
    ) -> tuple[AgendaSpec, ...] | None:
        if value is None:
            return None
        entries = self.table_list(value, location, "agenda")
        if not entries:
            if isinstance(value, list):
                self.error(location, "agenda", "a run sheet needs at least one item")
            return None
        items: list[AgendaSpec] = []
        ok = True
        for index, entry in enumerate(entries, start=1):
            where = f"{location}, agenda item #{index}"
            self.unknown(entry, AGENDA_FIELDS, where, "agenda item")
            self.required(entry, ("title", "minutes"), where)
            title = self.text(entry, "title", where, LIMITS["title"])
            item_minutes = self.integer(entry, "minutes", where, 1, MAX_SESSION_MINUTES)
            if title is None or item_minutes is None:
                ok = False
            else:
                items.append(AgendaSpec(title, item_minutes))
        if not ok:
            return None
        total = sum(i.minutes for i in items)
        if minutes is not None:
            if total > minutes:
                self.error(
                    location,
                    "agenda",
                    f"the run sheet takes {total} minutes but the slot is {minutes}",
                )
                return None
            if total < minutes:
                self.warning(
                    location,
                    "agenda",
                    f"the run sheet takes {how_many(total, 'minute')} and leaves {minutes - total} "
                    f"of the {minutes}-minute slot unplanned",
                )
        return tuple(items)

    def polls(self, value: Any, location: str) -> tuple[PollSpec, ...] | None:
        """Prepared polls (optional): every problem of every poll, each with its field."""
        if value is None:
            return ()
        entries = self.table_list(value, location, "polls")
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            return None
        if len(entries) > MAX_PREPARED_POLLS:
            self.error(location, "polls", f"at most {MAX_PREPARED_POLLS} prepared polls")
            return None
        polls: list[PollSpec] = []
        ok = True
        for index, entry in enumerate(entries, start=1):
            where = f"{location}, poll #{index}"
            self.unknown(entry, POLL_FIELDS, where, "poll")
            self.required(entry, ("question", "options"), where)
            if "question" not in entry or "options" not in entry:
                ok = False
                continue
            spec, problems = poll_problems(
                entry["question"],
                entry["options"],
                entry.get("multiple", False),
                entry.get("results", PollResults.LIVE),
            )
            for field_, message in problems:
                self.error(where, field_, message)
            if spec is None:
                ok = False
            else:
                polls.append(spec)
        return tuple(polls) if ok else None
