"""PLACEHOLDER (first cut, replaced by the timing helper): a session's phase at instant t."""

from __future__ import annotations

from datetime import datetime, timedelta


def phase_at(starts_at: datetime, ends_at: datetime, lobby_minutes: int, now: datetime) -> str:
    if now >= ends_at:
        return "ended"
    if now >= starts_at:
        return "live"
    if now >= starts_at - timedelta(minutes=lobby_minutes):
        return "lobby"
    return "scheduled"
