"""The hosts' rights, declared to `authz` by the slice that knows who hosts what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from networkfest import authz
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession, session_hosts
from networkfest.programme.queries import session_by_slug


def is_host_of(user: Any, festival_session: FestivalSession) -> bool:
    return authz.is_verified(user) and festival_session.is_host(user)


def can_moderate(user: Any, festival_session: FestivalSession) -> bool:
    """Hosts of this session and organisers: moderate, move the run sheet, see backstage."""
    return authz.is_organiser(user) or is_host_of(user, festival_session)


def hosts_any_session(user: Any) -> bool:
    if not authz.is_verified(user):
        return False
    return bool(db.session.scalar(select(exists().where(session_hosts.c.user_id == user.id))))


def declare_rights() -> None:
    authz.declare_session_lookup(session_by_slug)
    authz.declare(
        authz.Right(
            authz.HOST,
            lambda user, fs: hosts_any_session(user),
            False,
            "This is for the hosts of sessions; you host none.",
        )
    )
    authz.declare(
        authz.Right(
            authz.HOST_OF_SESSION,
            lambda user, fs: fs is not None and can_moderate(user, fs),
            True,
            "Only this session's hosts and the organisers can do that.",
        )
    )
