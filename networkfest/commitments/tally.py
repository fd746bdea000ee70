"""Follow-through counted: how many commitments were made, answered, done, partly, not yet.

Pure: no Flask, no database. `figures.py` reads the counts per session and answer; these
functions add them up per session, per theme and for the festival, so the organisers'
dashboard, the host's view and the CSV give the same numbers. Only counts travel here,
never a person or their words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DONE = "done"
PARTLY = "partly"
NOT_YET = "not_yet"
ANSWERS = (DONE, PARTLY, NOT_YET)
FOLLOW_THROUGH_COLUMNS = (
    "slug",
    "title",
    "theme",
    "commitments",
    "followed_up",
    "done",
    "partly",
    "not_yet",
)


@dataclass(frozen=True)
class Tally:
    """Commitments made and how the answered ones went; `followed_up` = the answered ones."""

    commitments: int = 0
    done: int = 0
    partly: int = 0
    not_yet: int = 0

    @property
    def followed_up(self) -> int:
        """Commitments with an answer (done, partly or not yet), however they went."""
        return self.done + self.partly + self.not_yet

    @property
    def unanswered(self) -> int:
        return self.commitments - self.followed_up

    @property
    def done_share(self) -> float | None:
        """Of the answered commitments, the share done: None while none is answered."""
        return share(self.done, self.followed_up)

    @property
    def followed_up_share(self) -> float | None:
        return share(self.followed_up, self.commitments)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            commitments=self.commitments + other.commitments,
            done=self.done + other.done,
            partly=self.partly + other.partly,
            not_yet=self.not_yet + other.not_yet,
        )


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def count(answers: Iterable[tuple[str | None, int]]) -> Tally:
    """A tally from (answer, how many) pairs, `None` for no answer yet; an answer this
    module does not know counts as made but not followed up."""
    made = done = partly = not_yet = 0
    for answer, number in answers:
        made += number
        if answer == DONE:
            done += number
        elif answer == PARTLY:
            partly += number
        elif answer == NOT_YET:
            not_yet += number
    return Tally(commitments=made, done=done, partly=partly, not_yet=not_yet)


def total(tallies: Iterable[Tally]) -> Tally:
    return sum(tallies, Tally())


@dataclass(frozen=True)
class SessionRef:
    """What the tally needs to know of a session: nothing about who was in it."""

    id: int
    slug: str
    title: str
    theme: str
    theme_name: str


@dataclass(frozen=True)
class SessionLine:
    slug: str
    title: str
    theme: str
    theme_name: str
    tally: Tally

    def as_row(self) -> dict[str, Any]:
        """The follow-through CSV's row: `FOLLOW_THROUGH_COLUMNS`."""
        return {
            "slug": self.slug,
            "title": self.title,
            "theme": self.theme,
            "commitments": self.tally.commitments,
            "followed_up": self.tally.followed_up,
            "done": self.tally.done,
            "partly": self.tally.partly,
            "not_yet": self.tally.not_yet,
        }


@dataclass(frozen=True)
class GroupLine:
    """A theme or the whole selection: its sessions' tallies added up."""

    key: str
    label: str
    sessions: int
    tally: Tally


@dataclass(frozen=True)
class FollowThrough:
    sessions: list[SessionLine] = field(default_factory=list)
    themes: list[GroupLine] = field(default_factory=list)
    festival: GroupLine = field(default_factory=lambda: GroupLine("festival", "", 0, Tally()))


def session_lines(
    sessions: Sequence[SessionRef], tallies: Mapping[int, Tally]
) -> list[SessionLine]:
    """One line per session, in the order given; a session nobody committed in counts 0."""
    return [
        SessionLine(s.slug, s.title, s.theme, s.theme_name, tallies.get(s.id, Tally()))
        for s in sessions
    ]


def summarise(
    lines: Sequence[SessionLine], themes: Sequence[tuple[str, str]], label: str
) -> FollowThrough:
    """Per theme (`themes` are (slug, name) in the festival's order; a theme without a
    session here is left out) and in total, under `label`."""
    by_theme = [
        GroupLine(
            slug,
            name,
            len(members),
            total(line.tally for line in members),
        )
        for slug, name in themes
        if (members := [line for line in lines if line.theme == slug])
    ]
    return FollowThrough(
        sessions=list(lines),
        themes=by_theme,
        festival=GroupLine("festival", label, len(lines), total(line.tally for line in lines)),
    )
