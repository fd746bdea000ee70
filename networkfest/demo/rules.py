"""Where the demo puts the programme: moved around now, so the festival is on when you look.

Pure: no Flask, no database, the instant passed in.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from networkfest.programme.rules import Schedule


def shift_for_demo(schedule: Schedule, now: datetime) -> Schedule:
    """Move the whole programme so that one session is live at `now` and another starts soon.

    It looks for the earliest pair where a second session starts while a first is running and
    places `now` five minutes before the second one starts; with no such pair, the first
    session started five minutes ago. Every session moves by the same amount, so the
    programme keeps its shape; the festival's days follow the sessions.
    """
    ordered = sorted(schedule.sessions, key=lambda s: s.starts_at)
    if not ordered:
        return schedule
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    target = ordered[0].starts_at + timedelta(minutes=5)
    for i, first in enumerate(ordered):
        later = [
            s
            for s in ordered[i + 1 :]
            if first.starts_at + timedelta(minutes=10) <= s.starts_at < first.ends_at
        ]
        if later:
            target = later[0].starts_at - timedelta(minutes=5)
            break
    delta = now - target
    sessions = tuple(
        dataclasses.replace(s, starts_at=s.starts_at + delta) for s in schedule.sessions
    )
    zone = ZoneInfo(schedule.festival.timezone)
    days = [s.starts_at.astimezone(zone).date() for s in sessions] + [
        (s.ends_at - timedelta(minutes=1)).astimezone(zone).date() for s in sessions
    ]
    festival = dataclasses.replace(schedule.festival, starts=min(days), ends=max(days))
    return dataclasses.replace(schedule, festival=festival, sessions=sessions)
