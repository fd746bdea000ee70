"""Festival day's rules: which part of the festival it is, what is live now, what starts next,
a person's next session, and how each session is marked on the programme.

Pure: no Flask, no database; the instant and the sessions' slots are passed in. A session's
phase is always timing's (`timing.rules.Slot.phase`), asked here and never worked out again,
so the programme, the front page and the live room can never disagree about it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from networkfest.timing.rules import Phase, Slot

# "Next up" shows at least this many sessions, and every session that starts with the last
# of them: parallel sessions starting together are listed together or not at all.
NEXT_UP_AT_LEAST = 3


class FestivalPhase(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class Mark(StrEnum):
    """What the programme says about a session's time: nothing while it is only scheduled."""

    STARTING_SOON = "starting-soon"
    LIVE = "live"
    ENDED = "ended"


MARK_LABELS = {
    Mark.STARTING_SOON: "Starting soon",
    Mark.LIVE: "Live now",
    Mark.ENDED: "Ended",
}


@dataclass(frozen=True)
class Listed:
    """A session as these rules see it: `key` names it (its id), `slot` is its time."""

    key: int
    slot: Slot
    cancelled: bool = False

    def phase(self, at: datetime) -> Phase:
        return self.slot.phase(at)


def _by_start(sessions: Iterable[Listed]) -> list[Listed]:
    return sorted(sessions, key=lambda s: (s.slot.starts_at, s.key))


def _taking_place(sessions: Iterable[Listed]) -> list[Listed]:
    """The sessions that take place: a cancelled one is never live, next or anyone's."""
    return _by_start(s for s in sessions if not s.cancelled)


def festival_phase(
    opens_at: datetime, closes_at: datetime, sessions: Sequence[Listed], now: datetime
) -> FestivalPhase:
    """Before the festival's first day (or its first lobby, if that opens earlier); during it
    until its last session ends (with no sessions, until its last day is over); then after.

    `opens_at` and `closes_at` are the first day's midnight and the midnight after the last
    day in the festival's time zone, worked out by the caller.
    """
    taking_place = _taking_place(sessions)
    starts = min([opens_at, *(s.slot.lobby_opens_at for s in taking_place)])
    ends = max(s.slot.ends_at for s in taking_place) if taking_place else closes_at
    if now < starts:
        return FestivalPhase.BEFORE
    if now >= ends:
        return FestivalPhase.AFTER
    return FestivalPhase.DURING


def first_session(sessions: Iterable[Listed]) -> Listed | None:
    """The festival's first session that takes place: what the countdown before it counts to."""
    taking_place = _taking_place(sessions)
    return taking_place[0] if taking_place else None


def live_now(sessions: Iterable[Listed], now: datetime) -> list[Listed]:
    """Every session live at `now`, in start order."""
    return [s for s in _taking_place(sessions) if s.phase(now) == Phase.LIVE]


def next_up(
    sessions: Iterable[Listed], now: datetime, at_least: int = NEXT_UP_AT_LEAST
) -> list[Listed]:
    """The next sessions to start (lobby open or not yet), in start order: at least
    `at_least` of them when there are so many, and all of those starting at the same time
    as the last one shown."""
    chosen: list[Listed] = []
    for s in _taking_place(sessions):
        if s.phase(now) not in (Phase.SCHEDULED, Phase.LOBBY):
            continue
        if len(chosen) >= at_least and s.slot.starts_at != chosen[-1].slot.starts_at:
            break
        chosen.append(s)
    return chosen


def next_for_person(held_by_person: Iterable[Listed], now: datetime) -> Listed | None:
    """A person's next session from the ones they hold a place in: the first not yet over
    (one that is live counts: it is where they should be)."""
    for s in _taking_place(held_by_person):
        if s.phase(now) != Phase.ENDED:
            return s
    return None


def mark(phase: Phase, cancelled: bool) -> Mark | None:
    """The programme's mark for a session in `phase`; none for a cancelled one (it has its own)."""
    if cancelled:
        return None
    return {
        Phase.LOBBY: Mark.STARTING_SOON,
        Phase.LIVE: Mark.LIVE,
        Phase.ENDED: Mark.ENDED,
    }.get(phase)


def now_anchor(sessions: Iterable[Listed], now: datetime) -> int | None:
    """Where the programme's "Jump to now" lands: the first session not yet over, once the
    first lobby has opened. None before that (the top of the page is now) and after the
    last session (nothing is now)."""
    taking_place = _taking_place(sessions)
    if all(s.phase(now) == Phase.SCHEDULED for s in taking_place):
        return None
    return next((s.key for s in taking_place if s.phase(now) != Phase.ENDED), None)


def phase_changes(slots: Iterable[Slot]) -> tuple[datetime, ...]:
    """Every instant at which a session's phase changes, in order: between two of them no
    mark of time changes."""
    return tuple(
        sorted({instant for s in slots for instant in (s.lobby_opens_at, s.starts_at, s.ends_at)})
    )


def stretch(changes: Sequence[datetime], now: datetime) -> int:
    """Which stretch between the `changes` `now` falls in; a change belongs to the stretch
    after it, as each boundary belongs to the later phase (`Slot.phase`)."""
    return bisect_right(changes, now)
