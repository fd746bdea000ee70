"""The participants' right, declared to `authz` by the slice that knows who holds a place."""

from __future__ import annotations

from typing import Any

from networkfest import authz
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.rights import can_moderate
from networkfest.registration.services import holds_confirmed_place


def has_confirmed_place(user: Any, festival_session: FestivalSession) -> bool:
    if not authz.is_verified(user):
        return False
    return holds_confirmed_place(db.session, festival_session.id, user.id)


def can_ask(user: Any, festival_session: FestivalSession) -> bool:
    """Confirmed attendees, the session's hosts and organisers ask, vote and join the call."""
    return can_moderate(user, festival_session) or has_confirmed_place(user, festival_session)


def declare_rights() -> None:
    authz.declare(
        authz.Right(
            authz.PARTICIPANT,
            lambda user, fs: fs is not None and can_ask(user, fs),
            True,
            "Only people with a confirmed place in this session can do that.",
        )
    )
