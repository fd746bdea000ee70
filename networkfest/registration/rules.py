"""Pure registration rules: when a place may be taken, which sessions clash, where someone queues.

No Flask, no SQLAlchemy, no I/O: the instant and the facts are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


@dataclass(frozen=True)
class Refusal:
    """Why a registration is refused: `code` for the API, `message` for people."""

    code: str
    message: str


@dataclass(frozen=True)
class TimeSpan:
    """A held place in time; `key` identifies the session it belongs to."""

    key: int
    starts_at: datetime
    ends_at: datetime


def registration_refusal(session_status: str, ends_at: datetime, now: datetime) -> Refusal | None:
    """Registration stays open until the session ends; a cancelled session takes no one."""
    if session_status == "cancelled":  # the session's status, told by the caller
        return Refusal(
            "cancelled", "This session has been cancelled, so it takes no registrations."
        )
    if now >= ends_at:
        return Refusal("ended", "This session has ended, so registration is closed.")
    return None


def cancellation_refusal(ends_at: datetime, now: datetime) -> Refusal | None:
    """A place, or a waitlist entry, can be given up until the session ends, as registration
    stays open until then (`registration_refusal`; the same boundary as the clock's `ended`
    phase): while it is in its lobby or live a freed seat still goes to the next person, who
    can join the room. Once it has ended the places are the record of who was in it, and
    giving one up would move someone from the waitlist into a session that is over. A
    cancelled session's places can be given up until its slot has passed, like any other's."""
    if now >= ends_at:
        return Refusal("ended", "This session has ended, so its places can no longer be cancelled.")
    return None


def queue_time(now: datetime, last_queued: datetime | None) -> datetime:
    """Join the back of the queue: never before someone already waiting, whatever the clocks."""
    if last_queued is None or now >= last_queued:
        return now
    return last_queued


def overlaps(a: TimeSpan, b: TimeSpan) -> bool:
    """Half-open intervals: a session ending at 10:00 does not clash with one starting at 10:00."""
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def clashes_with(candidate: TimeSpan, held: Iterable[TimeSpan]) -> list[TimeSpan]:
    """The held slots (other sessions) that overlap the candidate, in start order."""
    found = [slot for slot in held if slot.key != candidate.key and overlaps(candidate, slot)]
    return sorted(found, key=lambda slot: (slot.starts_at, slot.ends_at))


def clashing_keys(slots: Sequence[TimeSpan]) -> dict[int, set[int]]:
    """For each slot, the keys of the others it overlaps (empty set when none)."""
    ordered = sorted(slots, key=lambda slot: slot.starts_at)
    result: dict[int, set[int]] = {slot.key: set() for slot in ordered}
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            if overlaps(first, second):
                result[first.key].add(second.key)
                result[second.key].add(first.key)
    return result
