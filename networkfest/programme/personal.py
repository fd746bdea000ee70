"""The programme's part of a person's data: the sessions they host."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.programme.models import FestivalSession, ScheduleVersion
from networkfest.types import DbSession

# Stands where a deleted person's address was: a reserved name that reaches no one.
DELETED_ADDRESS = "deleted-person@invalid"


def export(db: DbSession, user: User) -> dict[str, Any]:
    hosted = db.scalars(
        select(FestivalSession.slug).where(FestivalSession.hosts.any(User.id == user.id))
    )
    return {"hosting": list(hosted)}


def erase(db: DbSession, user: User, now: datetime) -> None:
    """The host lists lose them with the account (ON DELETE); the schedule files kept in
    the published versions name hosts by address, so the address is scrubbed there too."""
    versions = db.scalars(
        select(ScheduleVersion).where(ScheduleVersion.source.contains(user.email))
    )
    for version in versions:
        version.source = version.source.replace(user.email, DELETED_ADDRESS)


def rows_with_session_slug(
    db: DbSession, model: Any, owner: Any, user_id: int
) -> list[tuple[Any, str | None]]:
    """A person's rows of one table, oldest first, each with the slug of its session."""
    return [
        (row, slug)
        for row, slug in db.execute(
            select(model, FestivalSession.slug)
            .outerjoin(FestivalSession, FestivalSession.id == model.session_id)
            .where(owner == user_id)
            .order_by(model.id)
        )
    ]
