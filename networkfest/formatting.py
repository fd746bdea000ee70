"""Dates and times as the festival's people read them: always saying which time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def in_zone(instant: datetime, timezone: str) -> datetime:
    return instant.astimezone(ZoneInfo(timezone))


def festival_time(instant: datetime, timezone: str) -> str:
    """'10:00 BST': the clock time in the festival's zone with the zone's abbreviation."""
    local = in_zone(instant, timezone)
    return f"{local:%H:%M} {local.tzname()}"


def festival_datetime(instant: datetime, timezone: str) -> str:
    """'Monday 21 September, 10:00 BST'."""
    local = in_zone(instant, timezone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} {local.tzname()}"


def day_label(day: date) -> str:
    """'Monday 21 September'."""
    return f"{day:%A} {day.day} {day:%B}"


def how_many(number: int, one: str, many: str | None = None) -> str:
    """'1 change', '2 changes': a count with its noun agreeing; `many` for irregular plurals."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


def iso(instant: datetime) -> str:
    """ISO 8601 with an offset, as the JSON API and `<time datetime>` want."""
    return instant.isoformat(timespec="seconds")


def iso_or_none(instant: datetime | None) -> str | None:
    """Full precision, for a person's data export: what is kept, exactly."""
    return instant.isoformat() if instant is not None else None
