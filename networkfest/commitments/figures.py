"""The follow-through figures' one query: commitments counted per session and answer.

Counted in the database (one grouped query, whatever the number of sessions) and added up
by `tally`. It reads no text, note or person: a deleted person's commitment (its `user_id`
nulled, its words blanked) still counts with its answer. Cancelled sessions are left out,
as the dashboard leaves them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import func, select

from networkfest.commitments import tally
from networkfest.commitments.models import Commitment
from networkfest.programme.models import FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.types import DbSession


def follow_through(db: DbSession, session_ids: Collection[int]) -> dict[int, tally.Tally]:
    """Each of these sessions' tally (a session with no commitment has none: count it 0)."""
    if not session_ids:
        return {}
    pairs: dict[int, list[tuple[str | None, int]]] = defaultdict(list)
    for session_id, answer, number in db.execute(
        select(Commitment.session_id, Commitment.answer, func.count())
        .join(FestivalSession, FestivalSession.id == Commitment.session_id)
        .where(
            Commitment.session_id.in_(list(session_ids)),
            FestivalSession.status != SessionStatus.CANCELLED,
        )
        .group_by(Commitment.session_id, Commitment.answer)
    ):
        pairs[session_id].append((answer, number))
    return {session_id: tally.count(answers) for session_id, answers in pairs.items()}
