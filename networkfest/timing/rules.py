"""The session clock's rules: phases, the run sheet, warnings, announcements and punctuality.

Pure: no Flask, no SQLAlchemy, no I/O. Every instant is an aware UTC datetime passed
in, so the rules are the same in every time zone and across daylight-saving changes
(a 90-minute slot is 90 minutes of UTC, whatever the festival's wall clock does).

How the run sheet moves (the one model everything below follows):

- The agenda's timeboxes are laid end to end from the session's start: that is the
  *plan*. Items that would start at or after the scheduled end are never reached.
- A host who never touches the run sheet gets the plan: each item starts at its
  planned start, and the last one runs to the hard stop.
- A host's move (`Move(index, started_at)`) is a fact: item `index` started then.
  From the first move on, the host *drives*: the current item stays current until
  the host moves again or the session ends, so an overrun is visible and squeezes
  what is left. Items the host jumps over get zero length ("skipped").
- Items before the first move follow the plan up to the moment of that move.
- The scheduled end is final: nothing runs past it, whatever the moves say. It is also what
  ends the last item: reached early or late, that item runs to the hard stop, and neither the
  room nor the record calls it over its timebox.

Punctuality (`punctuality`) is a record, not the plan: it is judged only once the session has
ended, from the host's evidence of when it really started (`actual_start`: the run sheet's
moves and the host's arrival in the room), and a session with no such evidence has no record
rather than an on-time one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property


class Phase(StrEnum):
    SCHEDULED = "scheduled"
    LOBBY = "lobby"
    LIVE = "live"
    ENDED = "ended"


PHASES = tuple(Phase)
ZERO = timedelta(0)


@dataclass(frozen=True)
class ClockSettings:
    """The festival's clock settings: how early the lobby opens and when the warnings come."""

    lobby: timedelta = timedelta(minutes=10)
    warnings: tuple[timedelta, ...] = (timedelta(minutes=5), timedelta(minutes=1))

    @classmethod
    def from_minutes(
        cls, lobby_minutes: int | None, warning_minutes: Iterable[int] | None
    ) -> ClockSettings:
        """From the festival's columns; missing values mean the schedule format's defaults."""
        lobby = timedelta(minutes=10 if lobby_minutes is None else max(lobby_minutes, 0))
        minutes = [5, 1] if warning_minutes is None else list(warning_minutes)
        offsets = sorted({timedelta(minutes=m) for m in minutes if m > 0}, reverse=True)
        return cls(lobby=lobby, warnings=tuple(offsets))


@dataclass(frozen=True)
class Slot:
    """A session's published slot with its festival's clock settings."""

    starts_at: datetime
    ends_at: datetime
    settings: ClockSettings = field(default_factory=ClockSettings)

    @property
    def lobby_opens_at(self) -> datetime:
        return self.starts_at - self.settings.lobby

    def phase(self, at: datetime) -> Phase:
        """`scheduled` → `lobby` → `live` → `ended`; each boundary belongs to the later phase."""
        if at >= self.ends_at:
            return Phase.ENDED
        if at >= self.starts_at:
            return Phase.LIVE
        if at >= self.lobby_opens_at:
            return Phase.LOBBY
        return Phase.SCHEDULED


@dataclass(frozen=True)
class PlannedItem:
    """An agenda item as published: a title and its timebox in minutes."""

    title: str
    minutes: int

    @cached_property
    def timebox(self) -> timedelta:
        """Made once: a join's clock state asks a one-item agenda for it eleven times."""
        return timedelta(minutes=max(self.minutes, 0))


@dataclass(frozen=True)
class Move:
    """The host started item `index` at `started_at` (an `AgendaMove` row)."""

    index: int
    started_at: datetime


def phase_at(starts_at: datetime, ends_at: datetime, lobby_minutes: int, now: datetime) -> str:
    """The phase of a slot at `now` with the festival's lobby in minutes."""
    return Slot(starts_at, ends_at, ClockSettings(lobby=timedelta(minutes=lobby_minutes))).phase(
        now
    )


@dataclass(frozen=True)
class ItemTiming:
    """One agenda item as the run sheet stands at an instant.

    `actual_start` is None until the item has started; `actual_end` is None while
    it runs (and for items never reached). A skipped item starts and ends at once.
    """

    index: int
    title: str
    timebox: timedelta
    planned_start: datetime
    planned_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None

    @property
    def reached(self) -> bool:
        return self.actual_start is not None

    @property
    def skipped(self) -> bool:
        return self.actual_start is not None and self.actual_end == self.actual_start

    @property
    def timebox_end(self) -> datetime | None:
        """When the item's timebox runs out, counted from its actual start."""
        return None if self.actual_start is None else self.actual_start + self.timebox

    def actual_length(self, at: datetime) -> timedelta:
        """How long the item has run by `at` (its whole length once it has ended)."""
        if self.actual_start is None:
            return ZERO
        end = self.actual_end if self.actual_end is not None else max(at, self.actual_start)
        return end - self.actual_start

    def remaining(self, at: datetime) -> timedelta:
        """Time left in the timebox at `at`; negative once the item runs over."""
        if self.actual_start is None:
            return self.timebox
        if self.actual_end is not None:
            return ZERO
        return self.actual_start + self.timebox - at

    def overrun(self, at: datetime) -> timedelta:
        """By how much the item has run past its timebox (zero for a skipped item)."""
        return max(self.actual_length(at) - self.timebox, ZERO)


@dataclass(frozen=True)
class RunSheet:
    """The run sheet at instant `at`: every item, the current one, and how far behind it is."""

    slot: Slot
    at: datetime
    items: tuple[ItemTiming, ...]
    driven: bool

    @cached_property
    def current(self) -> ItemTiming | None:
        """The item running at `at`: only while live, the last one that has started. Found
        once per sheet: the clock state, its warning and `behind` each ask."""
        if self.slot.phase(self.at) != Phase.LIVE:
            return None
        started = [item for item in self.items if item.reached and item.actual_end is None]
        return started[-1] if started else None

    @property
    def needed(self) -> timedelta:
        """What the rest of the run sheet needs from `at` if every timebox is kept."""
        current = self.current
        if current is None:
            if self.slot.phase(self.at) != Phase.LIVE:
                return ZERO
            return sum((item.timebox for item in self.items if not item.reached), ZERO)
        later = self.items[current.index + 1 :]
        return max(current.remaining(self.at), ZERO) + sum((i.timebox for i in later), ZERO)

    @property
    def available(self) -> timedelta:
        """What the rest of the run sheet really has: the time left before the hard stop."""
        if self.slot.phase(self.at) != Phase.LIVE:
            return ZERO
        return self.slot.ends_at - self.at

    @property
    def squeeze(self) -> timedelta:
        """How much of the remaining timeboxes the hard stop will cut off."""
        return max(self.needed - self.available, ZERO)

    @property
    def behind(self) -> timedelta:
        """How much later than planned the run sheet would finish, keeping every timebox.

        Zero on plan, negative when ahead, and zero outside `live`.
        """
        if self.slot.phase(self.at) != Phase.LIVE or not self.items:
            return ZERO
        planned_finish = self.slot.starts_at + sum((i.timebox for i in self.items), ZERO)
        return self.at + self.needed - planned_finish


def planned_starts(slot: Slot, agenda: Sequence[PlannedItem]) -> list[datetime]:
    """Each item's planned start: the timeboxes laid end to end from the start."""
    starts: list[datetime] = []
    cursor = slot.starts_at
    for item in agenda:
        starts.append(cursor)
        cursor += item.timebox
    return starts


def _valid_moves(slot: Slot, count: int, moves: Iterable[Move]) -> dict[int, datetime]:
    """Moves that mean something: a real item, inside the slot; the first per item wins."""
    by_index: dict[int, datetime] = {}
    for move in sorted(moves, key=lambda m: (m.index, m.started_at)):
        if 0 <= move.index < count and slot.starts_at <= move.started_at < slot.ends_at:
            by_index.setdefault(move.index, move.started_at)
    return by_index


def projected_starts(
    slot: Slot, agenda: Sequence[PlannedItem], moves: Iterable[Move]
) -> tuple[list[datetime | None], bool]:
    """When each item starts as far as the moves so far tell, and whether the host drives.

    None means "not known yet": the host drives and has not reached the item. A start
    at or after the scheduled end means the item is never reached.
    """
    planned = planned_starts(slot, agenda)
    by_index = _valid_moves(slot, len(agenda), moves)
    starts: list[datetime | None] = []
    previous = slot.starts_at
    driven = False
    for index, planned_start in enumerate(planned):
        later = [by_index[j] for j in sorted(by_index) if j > index]
        next_move = later[0] if later else None
        start: datetime | None
        if index in by_index:
            start = max(by_index[index], previous)
            driven = True
        elif not driven and (next_move is None or planned_start < next_move):
            start = max(planned_start, previous)
        elif next_move is not None:
            start = max(next_move, previous)
        else:
            start = None
        starts.append(start)
        if start is not None:
            previous = start
    return starts, driven


def run_sheet(
    slot: Slot, agenda: Sequence[PlannedItem], moves: Iterable[Move], at: datetime
) -> RunSheet:
    """The run sheet as it stands at `at` (moves after `at` are not known yet)."""
    known = [m for m in moves if m.started_at <= at]
    starts, driven = projected_starts(slot, agenda, known)
    planned = planned_starts(slot, agenda)
    items: list[ItemTiming] = []
    for index, item in enumerate(agenda):
        planned_end = min(planned[index] + item.timebox, slot.ends_at)
        start = starts[index]
        if start is None or start > at or start >= slot.ends_at:
            actual_start = actual_end = None
        else:
            actual_start = start
            end = _projected_end(slot, starts, index)
            actual_end = end if end <= at else None
        items.append(
            ItemTiming(
                index=index,
                title=item.title,
                timebox=item.timebox,
                planned_start=min(planned[index], slot.ends_at),
                planned_end=planned_end,
                actual_start=actual_start,
                actual_end=actual_end,
            )
        )
    return RunSheet(slot=slot, at=at, items=tuple(items), driven=driven)


def _projected_end(slot: Slot, starts: Sequence[datetime | None], index: int) -> datetime:
    """An item ends when the next one starts, or at the hard stop."""
    following = starts[index + 1] if index + 1 < len(starts) else None
    if following is None:
        return slot.ends_at
    return min(following, slot.ends_at)


@dataclass(frozen=True, order=True)
class ClockMoment:
    """One moment the clock tells the room about: `(due_at, kind)`, claimed once per cluster."""

    due_at: datetime
    kind: str

    @property
    def is_warning(self) -> bool:
        return self.kind.startswith(("warning:", "item_end:"))


def _minutes_label(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    return str(seconds // 60) if seconds % 60 == 0 else f"{seconds / 60:g}"


def announcements(
    slot: Slot, agenda: Sequence[PlannedItem], moves: Iterable[Move]
) -> list[ClockMoment]:
    """Every announcement the session will make, as far as the moves so far tell.

    - `phase:lobby` when the lobby opens (none with a zero lobby: `phase:live` says it),
      `phase:live` at the start, `phase:ended` at the scheduled end;
    - `warning:<n>` n minutes before the end, for each festival offset that falls
      strictly inside the live slot;
    - `item_end:<i>` when item i's timebox runs out while it is still the current item,
      before the end (from the plan, or from the host's actual move); never for the last
      item, which only the hard stop ends (as `punctuality` counts it). A move re-derives
      the instants, so a late item gets a new `(kind, due_at)` key and is announced anew;
      a session moved by a new schedule version likewise gets all-new keys.
    """
    moves = list(moves)
    result = [ClockMoment(slot.starts_at, "phase:live"), ClockMoment(slot.ends_at, "phase:ended")]
    if slot.settings.lobby > ZERO:
        result.append(ClockMoment(slot.lobby_opens_at, "phase:lobby"))
    for offset in slot.settings.warnings:
        due = slot.ends_at - offset
        if slot.starts_at < due < slot.ends_at:
            result.append(ClockMoment(due, f"warning:{_minutes_label(offset)}"))
    starts, _ = projected_starts(slot, agenda, moves)
    for index, item in enumerate(agenda[:-1]):
        start = starts[index]
        if start is None or start >= slot.ends_at or item.timebox <= ZERO:
            continue
        timebox_end = start + item.timebox
        if timebox_end < slot.ends_at and timebox_end <= _projected_end(slot, starts, index):
            result.append(ClockMoment(timebox_end, f"item_end:{index}"))
    return sorted(result)


def latest_due(schedule: Iterable[ClockMoment], at: datetime) -> ClockMoment | None:
    """The most recent announcement due at or before `at`: the only one worth making now.

    Older ones are stale: the room is sent the whole clock state, so announcing the
    latest brings everyone up to date; replaying a warning from long ago would mislead.
    """
    due = [a for a in schedule if a.due_at <= at]
    return max(due) if due else None


def next_due(schedule: Iterable[ClockMoment], at: datetime) -> datetime | None:
    """The first instant strictly after `at` at which something is due, if any."""
    later = [a.due_at for a in schedule if a.due_at > at]
    return min(later) if later else None


def warning_at(
    slot: Slot,
    agenda: Sequence[PlannedItem],
    moves: Iterable[Move],
    at: datetime,
    sheet: RunSheet | None = None,
) -> ClockMoment | None:
    """The warning in force at `at`: the latest due `warning:<n>` or `item_end:<i>`.

    Only while live. An `item_end:<i>` is in force only while item i is still the
    current item (it is running over); a `warning:<n>` stays until the end. `sheet` is
    the run sheet at `at` where the caller has made it already (every join's clock state).
    """
    if slot.phase(at) != Phase.LIVE:
        return None
    moves = list(moves)
    if sheet is None:
        sheet = run_sheet(slot, agenda, moves, at)
    current = sheet.current
    in_force = [
        a
        for a in announcements(slot, agenda, [m for m in moves if m.started_at <= at])
        if a.is_warning
        and a.due_at <= at
        and (
            not a.kind.startswith("item_end:")
            or (current is not None and a.kind == f"item_end:{current.index}")
        )
    ]
    return max(in_force) if in_force else None


class Verdict(StrEnum):
    """What the punctuality record can say about a session."""

    NOT_YET = "not_yet"  # it has not ended: no verdict at all
    NO_RECORD = "no_record"  # it ended and nothing shows that it ever started
    RECORDED = "recorded"  # it ended and the evidence dates its start


@dataclass(frozen=True)
class Stay:
    """A host's stay in the live room (one presence row): evidence that they came."""

    joined_at: datetime
    left_at: datetime | None


def host_arrival(slot: Slot, stays: Iterable[Stay]) -> datetime | None:
    """When a host was first in the room while it was open (lobby or live), or None.

    A stay that ended before the lobby opened, or began at or after the end, shows nothing:
    looking in the day before is not turning up. A stay from before the lobby that was
    still open then counts from the lobby's opening.
    """
    opens = slot.lobby_opens_at
    arrivals = [
        max(stay.joined_at, opens)
        for stay in stays
        if stay.joined_at < slot.ends_at and (stay.left_at is None or stay.left_at > opens)
    ]
    return min(arrivals) if arrivals else None


def actual_start(
    slot: Slot,
    agenda: Sequence[PlannedItem],
    moves: Iterable[Move],
    host_arrived_at: datetime | None,
) -> datetime | None:
    """When the session really started, from the host's evidence; None when there is none.

    The run sheet alone cannot say: without a move its first item starts by the clock, so a
    session nobody ran would read as punctual. In order:

    1. a move that started the first item is the start itself (the host said "now");
    2. else the host's arrival in the room, but no later than their first run-sheet move
       (a host who moved the run sheet was running the session by then);
    3. else the start the first move implies: a move to item k at t shows the items before
       k had run by t, so the session started by t less their timeboxes.

    A move to a later item does not date the start by itself: by then the first item may
    have run long, which the run sheet counts as that item's overrun, not as a late start.
    Never before the scheduled start: arriving early is not starting early.
    """
    by_index = _valid_moves(slot, len(agenda), moves)
    if 0 in by_index:
        return by_index[0]
    first = min(by_index.items(), key=lambda pair: (pair[1], pair[0])) if by_index else None
    if host_arrived_at is not None and host_arrived_at < slot.ends_at:
        arrived = max(host_arrived_at, slot.starts_at)
        return arrived if first is None else min(arrived, first[1])
    if first is not None:
        index, moved_at = first
        before = sum((item.timebox for item in agenda[:index]), ZERO)
        return max(moved_at - before, slot.starts_at)
    return None


@dataclass(frozen=True)
class ItemPunctuality:
    """How one item went: planned and actual length in seconds, and its overrun."""

    index: int
    title: str
    planned_s: int
    actual_s: int
    overrun_s: int
    reached: bool
    skipped: bool


@dataclass(frozen=True)
class Punctuality:
    """How a session kept to time: a verdict only once it has ended, and only from evidence.

    - `verdict`: `not_yet` before the scheduled end (every figure None), `no_record` when
      it ended with no evidence of its start (every figure None: never "on time"),
      `recorded` otherwise.
    - `started_at`: the actual start (`actual_start`); `first_item_started_at` the first
      item's start on the run sheet laid from it (None for an empty agenda).
    - `started_late_s`: seconds from the scheduled start to the actual start.
    - `overran_items`: how many items ran longer than their timebox, the run sheet laid
      from the actual start (a late start is counted once, as a late start, not again as
      an overrun of the first item). The last item never counts: only the hard stop ends
      it, so its extra time is what the items before it left over.
    - `ended_on_time`: the whole run sheet fitted before the hard stop: every item was
      reached (run or deliberately skipped) and the last one's timebox ended by the
      scheduled end. An empty agenda has nothing to cut off.
    """

    verdict: Verdict
    started_at: datetime | None
    first_item_started_at: datetime | None
    started_late_s: int | None
    items: tuple[ItemPunctuality, ...]
    overran_items: int | None
    ended_on_time: bool | None

    @property
    def judged(self) -> bool:
        return self.verdict == Verdict.RECORDED


def punctuality(
    slot: Slot,
    agenda: Sequence[PlannedItem],
    moves: Iterable[Move],
    *,
    host_arrived_at: datetime | None,
    at: datetime,
) -> Punctuality:
    """The punctuality record of a session at `at`, from the moves and the host's arrival."""
    if at < slot.ends_at:
        return Punctuality(Verdict.NOT_YET, None, None, None, (), None, None)
    moves = [m for m in moves if m.started_at <= at]
    start = actual_start(slot, agenda, moves, host_arrived_at)
    if start is None:
        return Punctuality(Verdict.NO_RECORD, None, None, None, (), None, None)
    judged = Slot(start, slot.ends_at, slot.settings)
    sheet = run_sheet(judged, agenda, moves, slot.ends_at)
    last_index = len(sheet.items) - 1
    items = tuple(
        ItemPunctuality(
            index=item.index,
            title=item.title,
            planned_s=int(item.timebox.total_seconds()),
            actual_s=int(item.actual_length(slot.ends_at).total_seconds()),
            # Nothing ends the last item but the hard stop: if it runs past its timebox,
            # the items before it finished early, and the session still ended on time.
            overrun_s=0
            if item.index == last_index
            else int(item.overrun(slot.ends_at).total_seconds()),
            reached=item.reached,
            skipped=item.skipped,
        )
        for item in sheet.items
    )
    last = sheet.items[-1] if sheet.items else None
    on_time = last is None or (
        all(item.reached for item in sheet.items)
        and last.timebox_end is not None
        and last.timebox_end <= slot.ends_at
    )
    return Punctuality(
        verdict=Verdict.RECORDED,
        started_at=start,
        first_item_started_at=sheet.items[0].actual_start if sheet.items else None,
        started_late_s=int((start - slot.starts_at).total_seconds()),
        items=items,
        overran_items=sum(1 for item in items if item.overrun_s > 0),
        ended_on_time=on_time,
    )
