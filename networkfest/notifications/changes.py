"""Change notices: people registered for a session that moved, was retitled or cancelled
get a banner notice and a mail, once per person, session and version."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.formatting import festival_datetime
from networkfest.links import absolute
from networkfest.mail import send_mail
from networkfest.notifications.claims import claim
from networkfest.notifications.models import Notice
from networkfest.notifications.rules import NOTIFIED_CHANGES
from networkfest.programme.changes import Change, ChangeKind
from networkfest.programme.models import Festival, FestivalSession
from networkfest.registration.models import Registration
from networkfest.registration.rules import ACTIVE_STATUSES
from networkfest.types import DbSession


def notify_changes(
    db: DbSession,
    festival: Festival,
    changes: Iterable[Change],
    version_number: int,
    now: datetime,
) -> int:
    """Tell everyone registered (confirmed or waitlisted) that their session moved, was
    renamed or cancelled: a banner notice and a mail, once per person, session and version.
    Returns the number of notices created."""
    kinds_by_slug: dict[str, list[ChangeKind]] = {}
    for change in changes:
        if change.kind in NOTIFIED_CHANGES and change.session is not None:
            kinds = kinds_by_slug.setdefault(change.session, [])
            if change.kind not in kinds:
                kinds.append(change.kind)
    if not kinds_by_slug:
        return 0
    sessions = db.scalars(
        select(FestivalSession).where(
            FestivalSession.festival_id == festival.id,
            FestivalSession.slug.in_(list(kinds_by_slug)),
        )
    ).all()
    claim_kind = f"change:{version_number}"
    created = 0
    for festival_session in sorted(sessions, key=lambda s: s.starts_at):
        message = change_message(festival_session, kinds_by_slug[festival_session.slug], festival)
        people = db.scalars(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(
                Registration.session_id == festival_session.id,
                Registration.status.in_(ACTIVE_STATUSES),
            )
            .order_by(User.id)
        ).all()
        for user in people:
            if not claim(db, festival_session.id, user.id, claim_kind, now):
                continue
            db.add(
                Notice(
                    user_id=user.id,
                    session_id=festival_session.id,
                    kind="change",
                    message=message,
                    created_at=now,
                )
            )
            db.commit()
            send_mail(
                user.email,
                f"Programme change: {festival_session.title}",
                f"Hello {user.name},\n\n{message}\n\n"
                f"{absolute('programme.changes')}\n\n"
                "Calendar feeds you subscribe to already show the change.\n",
            )
            created += 1
    db.rollback()
    return created


def change_message(
    festival_session: FestivalSession, kinds: Sequence[ChangeKind], festival: Festival
) -> str:
    """One sentence per change, from the session as it now stands (not the change's wording)."""
    title = festival_session.title
    if ChangeKind.CANCELLED in kinds or festival_session.cancelled:
        return f"“{title}” has been cancelled. Your registration is kept in your agenda."
    parts = []
    if ChangeKind.RETITLED in kinds:
        parts.append(f"A session you registered for is now called “{title}”.")
    if ChangeKind.MOVED in kinds:
        when = festival_datetime(festival_session.starts_at, festival.timezone)
        parts.append(f"“{title}” has moved: it now starts {when}.")
    return " ".join(parts)
