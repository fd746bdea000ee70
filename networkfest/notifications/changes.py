"""Change notices: people registered for a session that moved, was retitled, cancelled or
put back on the programme get a banner notice and a mail, once per person, session and
version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, exists, select, update

from networkfest.accounts.models import User
from networkfest.formatting import festival_datetime, festival_time
from networkfest.links import absolute
from networkfest.mail import send_mail
from networkfest.notifications.claims import claim
from networkfest.notifications.models import Notice, Reminder
from networkfest.notifications.notices import CHANGE, PROMOTED
from networkfest.notifications.rules import NOTIFIED_CHANGES, STATUS_CHANGES, change_message
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
    renamed, cancelled or is back on: a banner notice and a mail, once per person, session
    and version. Returns the number of notices created.

    A cancellation or a return first puts away the session's earlier unseen change notices
    (`withdraw_earlier_notices`). People whom registration promoted from the waitlist when
    the session came back hear "You have a place" instead (`notices.tell_promoted`): its
    receiver runs before this one (`signals.send` keeps the order of connection)."""
    changes_by_slug: dict[str, list[Change]] = {}
    for change in changes:
        if change.kind in NOTIFIED_CHANGES and change.session is not None:
            changes_by_slug.setdefault(change.session, []).append(change)
    if not changes_by_slug:
        return 0
    sessions = db.scalars(
        select(FestivalSession).where(
            FestivalSession.festival_id == festival.id,
            FestivalSession.slug.in_(list(changes_by_slug)),
        )
    ).all()
    claim_kind = f"change:{version_number}"
    created = 0
    for festival_session in sorted(sessions, key=lambda s: s.starts_at):
        session_id = festival_session.id
        session_changes = changes_by_slug[festival_session.slug]
        kinds = {change.kind for change in session_changes}
        title = festival_session.title
        message = change_message(
            session_changes,
            title=title,
            starts=festival_datetime(festival_session.starts_at, festival.timezone),
            ends=festival_time(festival_session.ends_at, festival.timezone),
            cancelled=festival_session.cancelled,
        )
        if kinds & set(STATUS_CHANGES):
            withdraw_earlier_notices(db, session_id, claim_kind, now)
        people = db.scalars(
            _told(session_id, restored=ChangeKind.RESTORED in kinds, now=now).order_by(User.id)
        ).all()
        for user in people:
            # Read before the claim's commit, so the SMTP conversation holds no transaction.
            mail = (
                user.email,
                f"Programme change: {title}",
                f"Hello {user.name},\n\n{message}\n\n"
                f"{absolute('programme.changes')}\n\n"
                "Calendar feeds you subscribe to already show the change.\n",
            )
            if not claim(db, session_id, user.id, claim_kind, now):
                continue
            db.add(
                Notice(
                    user_id=user.id,
                    session_id=session_id,
                    kind=CHANGE,
                    message=message,
                    created_at=now,
                )
            )
            db.commit()
            send_mail(*mail)
            created += 1
    db.rollback()
    return created


def withdraw_earlier_notices(
    db: DbSession, session_id: int, claim_kind: str, now: datetime
) -> None:
    """Put away (as if dismissed) everyone's unseen change notices of a session that was
    cancelled or has come back: "has been cancelled" is untrue once it is back on, and so is
    "is back on" once it is cancelled again, whoever reads it, people who have since given up
    their place too. The notices this version gives (their people hold its claim) are kept,
    so telling a version again withdraws nothing it said."""
    db.execute(
        update(Notice)
        .where(
            Notice.session_id == session_id,
            Notice.kind == CHANGE,
            Notice.seen_at.is_(None),
            ~exists().where(
                Reminder.session_id == session_id,
                Reminder.user_id == Notice.user_id,
                Reminder.kind == claim_kind,
            ),
        )
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )
    db.commit()


def _told(session_id: int, *, restored: bool, now: datetime) -> Select[User]:
    """The people registered (confirmed or waitlisted) for the session. For a session back on
    the programme, not those promoted to a place since: their "You have a place" says so."""
    query = (
        select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.session_id == session_id, Registration.status.in_(ACTIVE_STATUSES))
    )
    if not restored:
        return query
    return query.where(
        ~exists().where(
            Notice.user_id == User.id,
            Notice.session_id == session_id,
            Notice.kind == PROMOTED,
            Notice.created_at >= now,
        )
    )
