"""Follow-ups: weeks after a session, each commitment's owner is mailed their own words and
asked how it went, once, across processes and restarts.

The claim is one conditional update of the commitment (`followed_up_at` from NULL to now),
committed before the mail goes: the process whose update changes the row sends, the others
see no row changed. A crash between the claim and the mail loses that one mail rather than
sending it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVarTuple

from flask import current_app
from sqlalchemy import Select, func, select, update

from networkfest.accounts.models import User
from networkfest.commitments.links import follow_up_url
from networkfest.commitments.models import Commitment
from networkfest.commitments.rules import (
    ANSWERS,
    follow_up_due,
    follow_up_due_at,
    link_expires_at,
)
from networkfest.formatting import festival_datetime
from networkfest.links import absolute
from networkfest.mail import send_mail
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.types import DbSession

_Row = TypeVarTuple("_Row")
# The shortest follow-up delay (one week): sessions that ended later cannot be due yet.
SHORTEST = timedelta(weeks=1)


def send_due_follow_ups(db: DbSession, now: datetime) -> int:
    """Mail every due follow-up this process wins; returns how many were sent here."""
    sent = 0
    for commitment_id in _due(db, now):
        mail = _compose(db, commitment_id, now)
        if mail is None or not claim(db, commitment_id, now):
            continue
        send_mail(*mail)
        sent += 1
    db.rollback()
    return sent


def next_follow_up_due(db: DbSession, now: datetime) -> datetime | None:
    """When `send_due_follow_ups` next has work: now if some are due, else the earliest
    future due time, or None when no commitment waits for its follow-up. One row per
    festival's number of weeks: the earliest end among its waiting commitments."""
    earliest = db.execute(
        _waiting(select(Festival.follow_up_weeks, func.min(FestivalSession.ends_at))).group_by(
            Festival.follow_up_weeks
        )
    ).all()
    db.rollback()
    due = [follow_up_due_at(row[1], row[0]) for row in earliest]
    upcoming = min((at for at in due if at is not None), default=None)
    return None if upcoming is None else max(upcoming, now)


def claim(db: DbSession, commitment_id: int, now: datetime) -> bool:
    """The one conditional update, committed at once; False when another process won."""
    result = db.execute(
        update(Commitment)
        .where(
            Commitment.id == commitment_id,
            Commitment.followed_up_at.is_(None),
            Commitment.answer.is_(None),
        )
        .values(followed_up_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        return False
    db.commit()
    return True


def _due(db: DbSession, now: datetime) -> list[int]:
    """The waiting commitments whose follow-up is due now, earliest first."""
    query = _waiting(
        select(Commitment.id, FestivalSession.ends_at, Festival.follow_up_weeks)
    ).where(FestivalSession.ends_at <= now - SHORTEST)
    rows = db.execute(query.order_by(FestivalSession.ends_at, Commitment.id))
    return [row.id for row in rows if follow_up_due(row.ends_at, row.follow_up_weeks, now)]


def _waiting(query: Select[*_Row]) -> Select[*_Row]:
    """Unclaimed, unanswered commitments (with words) of people who want follow-ups, in
    sessions that were not cancelled, of festivals that follow up."""
    return (
        query.select_from(Commitment)
        .join(FestivalSession, FestivalSession.id == Commitment.session_id)
        .join(Festival, Festival.id == FestivalSession.festival_id)
        .join(User, User.id == Commitment.user_id)
        .where(
            Commitment.followed_up_at.is_(None),
            Commitment.answer.is_(None),
            Commitment.text != "",
            User.follow_up_mails.is_(True),
            Festival.follow_up_weeks > 0,
            FestivalSession.status != SessionStatus.CANCELLED,
        )
    )


def _compose(db: DbSession, commitment_id: int, now: datetime) -> tuple[str, str, str] | None:
    """The mail (to, subject, body), read before the claim's commit: after it, reading an
    attribute would reopen a transaction and hold it through the SMTP conversation."""
    row = db.execute(
        select(Commitment, FestivalSession, Festival, User)
        .join(FestivalSession, FestivalSession.id == Commitment.session_id)
        .join(Festival, Festival.id == FestivalSession.festival_id)
        .join(User, User.id == Commitment.user_id)
        .where(Commitment.id == commitment_id)
    ).first()
    if row is None:
        return None
    commitment, festival_session, festival, user = row
    urls = {str(answer): follow_up_url(commitment.id, user.id, answer, now) for answer in ANSWERS}
    # Rendered from the environment directly: no request, so no page context processors.
    body = current_app.jinja_env.get_template("commitments/mail_follow_up.txt").render(
        name=user.name,
        weeks=festival.follow_up_weeks,
        title=festival_session.title,
        text=commitment.text,
        urls=urls,
        expires=festival_datetime(link_expires_at(now), festival.timezone),
        commitments_url=absolute("commitments.my_commitments"),
    )
    return user.email, f"How did it go? Your commitment from “{festival_session.title}”", body
