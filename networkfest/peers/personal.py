"""Peers' part of a person's data: the sessions where they chose to stay in touch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from networkfest.accounts.models import User
from networkfest.formatting import iso_or_none
from networkfest.peers.models import PeerConsent
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession


def export(db: DbSession, user: User) -> dict[str, Any]:
    """Their own choices only: who else chose is the others' data, not theirs."""
    rows = db.execute(
        select(FestivalSession.slug, FestivalSession.title, PeerConsent.created_at)
        .join(PeerConsent, PeerConsent.session_id == FestivalSession.id)
        .where(PeerConsent.user_id == user.id)
        .order_by(FestivalSession.starts_at, FestivalSession.slug)
    )
    return {
        "staying_in_touch": [
            {"session": slug, "title": title, "chosen_at": iso_or_none(chosen_at)}
            for slug, title, chosen_at in rows
        ]
    }


def erase(db: DbSession, user: User, now: datetime) -> None:
    """Their choices go, so they vanish from every list before the account does."""
    db.execute(delete(PeerConsent).where(PeerConsent.user_id == user.id))
