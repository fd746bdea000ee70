"""Helpers for feed tests: a published schedule version and registrations, made directly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from networkfest.extensions import db
from networkfest.programme.models import Festival, ScheduleVersion
from networkfest.registration.models import Registration

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


def register(session: Any, user: Any, status: str, queued_at: datetime) -> Registration:
    registration = Registration(
        session=session, user=user, status=status, queued_at=queued_at, updated_at=queued_at
    )
    db.session.add(registration)
    db.session.commit()
    return registration


@pytest.fixture
def festival(factory: Any) -> Festival:
    festival = factory.festival()
    publish(festival)
    return festival
