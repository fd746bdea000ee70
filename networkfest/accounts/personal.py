"""The account's part of a person's data: their account and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from networkfest.accounts.models import User
from networkfest.accounts.services import api_tokens
from networkfest.formatting import iso_or_none
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    return {
        "account": {
            "name": user.name,
            "email": user.email,
            "organisation": user.organisation,
            "role": user.role,
            "organiser": user.organiser,
            "invited": user.invited,
            "created_at": iso_or_none(user.created_at),
        },
        "api_tokens": [
            {
                "name": t.name,
                "created_at": iso_or_none(t.created_at),
                "last_used_at": iso_or_none(t.last_used_at),
            }
            for t in api_tokens(db, user)
        ],
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Last of all: the rows that still point at the person go with them (ON DELETE)."""
    db.delete(user)
