"""Helpers for feed tests: a published schedule version, made directly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from networkfest.extensions import db
from networkfest.programme.models import Festival, ScheduleVersion

PUBLISHED_AT = datetime(2026, 9, 1, 12, 30, tzinfo=UTC)


def publish(festival: Festival, published_at: datetime = PUBLISHED_AT) -> ScheduleVersion:
    """Record the festival's current version as published, as the programme's publisher does."""
    version = ScheduleVersion(
        festival=festival,
        number=festival.version,
        published_at=published_at,
        content_hash=f"{festival.version:064d}",
        source="",
        changes=[],
    )
    db.session.add(version)
    db.session.commit()
    return version


@pytest.fixture
def festival(festival: Festival) -> Festival:
    """The shared festival (tests/conftest.py), its current version published."""
    publish(festival)
    return festival
