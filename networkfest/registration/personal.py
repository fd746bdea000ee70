"""Registration's part of a person's data: their places, held and given up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.programme.personal import rows_with_session_slug
from networkfest.registration import rules
from networkfest.registration.models import Registration
from networkfest.registration.services import release_place
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    rows = rows_with_session_slug(db, Registration, Registration.user_id, user.id)
    return {
        "registrations": [
            {
                "session": slug,
                "status": r.status,
                "queued_at": iso_or_none(r.queued_at),
                "updated_at": iso_or_none(r.updated_at),
            }
            for r, slug in rows
        ]
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Their places go, past ones too: a confirmed one to the first on the waitlist, at
    once, unless the session has ended (`services.release_place`)."""
    active = db.scalars(
        select(Registration).where(
            Registration.user_id == user.id, Registration.status.in_(rules.ACTIVE_STATUSES)
        )
    )
    for registration in list(active):
        release_place(db, registration, now)
    db.execute(delete(Registration).where(Registration.user_id == user.id))
