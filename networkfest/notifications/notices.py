"""Notices on the site: shown as banners until dismissed; a promotion from the waitlist is
one, with a mail and a live notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.formatting import festival_datetime
from networkfest.links import absolute
from networkfest.mail import send_mail
from networkfest.notifications.models import Notice
from networkfest.programme.models import FestivalSession
from networkfest.types import DbSession

EmitNotice = Callable[[dict[str, Any], int], None]
# Notice kinds: a change to a session of theirs (`changes.py`), a place from the waitlist.
CHANGE = "change"
PROMOTED = "promoted"


def unseen_notices(db: DbSession, user_id: int) -> list[Notice]:
    return list(
        db.scalars(
            select(Notice)
            .where(Notice.user_id == user_id, Notice.seen_at.is_(None))
            .order_by(Notice.created_at, Notice.id)
        )
    )


def mark_notice_seen(db: DbSession, notice_id: int, user_id: int, now: datetime) -> bool:
    """Dismiss one's own notice; False when there is no such notice of theirs."""
    notice = db.get(Notice, notice_id)
    if notice is None or notice.user_id != user_id:
        return False
    if notice.seen_at is None:
        notice.seen_at = now
        db.commit()
    return True


def promoted_message(festival_session: FestivalSession) -> str:
    """Says when, as the reminder does: someone waiting for several sessions may not know."""
    starts = festival_datetime(festival_session.starts_at, festival_session.festival.timezone)
    return (
        f"A place came free: you are now confirmed for “{festival_session.title}”, "
        f"which starts {starts}."
    )


def tell_promoted(
    db: DbSession, session_id: int, user_id: int, now: datetime, emit_notice: EmitNotice
) -> None:
    """A notice on the site, a mail and a live notice for the person who got the place."""
    festival_session = db.get(FestivalSession, session_id)
    user = db.get(User, user_id)
    if festival_session is None or user is None:
        return
    message = promoted_message(festival_session)
    mail = (
        user.email,
        f"You have a place: {festival_session.title}",
        f"Hello {user.name},\n\n{message}\n\n"
        f"Your agenda: {absolute('registration.agenda')}\n\n"
        "If you can no longer come, please cancel so the next person gets the place.\n",
    )
    notice = {"kind": PROMOTED, "session": festival_session.slug, "message": message}
    db.add(
        Notice(
            user_id=user_id,
            session_id=session_id,
            kind=PROMOTED,
            message=message,
            created_at=now,
        )
    )
    db.commit()
    send_mail(*mail)
    emit_notice(notice, user_id)
