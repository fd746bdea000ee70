"""The live room's evidence for the punctuality record: when each session's hosts were in it.

Timing sits below live and cannot read presence; `declare` hands it this reader at start-up
(`timing.evidence`), so every punctuality figure stands on the same evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, select

from networkfest.live.models import Presence
from networkfest.programme.models import session_hosts
from networkfest.timing import evidence
from networkfest.timing.rules import Stay
from networkfest.types import DbSession


def host_stays(db: DbSession, session_ids: Sequence[int]) -> dict[int, list[Stay]]:
    """Each session's stays of its own hosts in its room (an organiser's visit is no host's)."""
    rows = db.execute(
        select(Presence.session_id, Presence.joined_at, Presence.left_at)
        .join(
            session_hosts,
            and_(
                session_hosts.c.session_id == Presence.session_id,
                session_hosts.c.user_id == Presence.user_id,
            ),
        )
        .where(Presence.session_id.in_(list(session_ids)))
        .order_by(Presence.session_id, Presence.joined_at)
    )
    stays: dict[int, list[Stay]] = {}
    for session_id, joined_at, left_at in rows:
        stays.setdefault(session_id, []).append(Stay(joined_at, left_at))
    return stays


def declare() -> None:
    evidence.declare_host_stays(host_stays)
