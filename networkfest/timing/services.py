"""PLACEHOLDER (first cut, replaced by the timing helper): the clock state a room sees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as DbSession

from networkfest.clock import to_epoch_ms
from networkfest.programme.models import FestivalSession
from networkfest.timing.rules import phase_at


def session_phase(festival_session: FestivalSession, now: datetime) -> str:
    return phase_at(
        festival_session.starts_at,
        festival_session.ends_at,
        festival_session.festival.lobby_minutes,
        now,
    )


def clock_state(db: DbSession, festival_session: FestivalSession, now: datetime) -> dict[str, Any]:
    """The `clock` object of the live protocol (DESIGN)."""
    return {
        "session": festival_session.slug,
        "phase": session_phase(festival_session, now),
        "server_now": to_epoch_ms(now),
        "starts_at": to_epoch_ms(festival_session.starts_at),
        "ends_at": to_epoch_ms(festival_session.ends_at),
        "item": None,
        "warning": None,
    }
