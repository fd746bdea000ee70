"""Peer consent units of work: choose or withdraw staying in touch, and who a person sees.

`set_consent` does not commit: the feedback records the choice in its own unit of work, and
the peers page commits its own call. The list is read fresh on every request, so a
withdrawal removes a person from everyone's list at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from networkfest.accounts.models import User
from networkfest.live.presence import was_in_room
from networkfest.peers import rules
from networkfest.peers.models import PeerConsent
from networkfest.programme.models import FestivalSession
from networkfest.timing.rules import Phase
from networkfest.timing.services import session_phase
from networkfest.types import DbSession


def set_consent(db: DbSession, session_id: int, user_id: int, consent: bool, now: datetime) -> None:
    """Record (consent) or remove (not consent) the person's choice for the session; saying
    the same twice changes nothing. The caller commits."""
    if not consent:
        db.execute(
            delete(PeerConsent).where(
                PeerConsent.session_id == session_id, PeerConsent.user_id == user_id
            )
        )
        return
    if has_consent(db, session_id, user_id):
        return
    try:
        with db.begin_nested():
            db.add(PeerConsent(session_id=session_id, user_id=user_id, created_at=now))
    except IntegrityError:
        # A second request for the same choice won the race: it is recorded either way.
        return


def has_consent(db: DbSession, session_id: int, user_id: int) -> bool:
    """Whether the person chose to stay in touch with the others from this session."""
    found = db.execute(
        select(PeerConsent.user_id).where(
            PeerConsent.session_id == session_id, PeerConsent.user_id == user_id
        )
    ).first()
    return found is not None


class PeerRefused(Exception):
    """A choice the person may not make, in words they understand."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Peer:
    """What one person who chose shows the others who chose: nothing more."""

    name: str
    organisation: str
    role: str
    email: str


def choice_refused(
    db: DbSession, festival_session: FestivalSession, user: User, now: datetime
) -> str | None:
    """Why this person may not choose to stay in touch now, or None when they may."""
    phase = session_phase(festival_session, now)
    return rules.choice_refusal(
        phase=phase,
        cancelled=festival_session.cancelled,
        in_room=phase == Phase.ENDED and was_in_room(db, festival_session, user.id),
        verified=user.verified,
    )


def access_for(
    db: DbSession, festival_session: FestivalSession, user: User, now: datetime
) -> rules.Access:
    """What the person gets on the session's peers page."""
    return rules.access(
        chose=has_consent(db, festival_session.id, user.id),
        refusal=choice_refused(db, festival_session, user, now),
    )


def peers_for(db: DbSession, session_id: int, viewer_id: int) -> list[Peer] | None:
    """The others from the session who chose to stay in touch, by name, for a viewer who
    chose too; None for anyone else. Read fresh, so a withdrawal shows at once."""
    rows = db.execute(
        select(User)
        .join(PeerConsent, PeerConsent.user_id == User.id)
        .where(PeerConsent.session_id == session_id)
        .order_by(User.name, User.id)
    ).scalars()
    people = {user.id: user for user in rows}
    consenting = [rules.Consenting(user.id, user.verified) for user in people.values()]
    if not rules.sees_peers(viewer_id, consenting):
        return None
    return [
        Peer(
            name=people[user_id].name,
            organisation=people[user_id].organisation,
            role=people[user_id].role,
            email=people[user_id].email,
        )
        for user_id in rules.visible_peers(viewer_id, consenting)
    ]


def choose(db: DbSession, festival_session: FestivalSession, user: User, now: datetime) -> None:
    """The person chooses to stay in touch (from the peers page); raises PeerRefused when
    they may not. Commits."""
    if not has_consent(db, festival_session.id, user.id):
        refusal = choice_refused(db, festival_session, user, now)
        if refusal is not None:
            raise PeerRefused(refusal)
        set_consent(db, festival_session.id, user.id, True, now)
    db.commit()


def withdraw(db: DbSession, session_id: int, user_id: int, now: datetime) -> None:
    """The person stops sharing: from this commit on, nobody sees them and they see nobody."""
    set_consent(db, session_id, user_id, False, now)
    db.commit()
