"""Feedback requests: after a session, everyone who was in the room is asked, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from networkfest.accounts.models import User
from networkfest.formatting import festival_datetime
from networkfest.insights.rules import feedback_closes_at
from networkfest.links import absolute
from networkfest.live.models import Presence
from networkfest.live.presence import in_slot
from networkfest.mail import send_mail
from networkfest.notifications.claims import claim
from networkfest.programme.models import FestivalSession
from networkfest.timing.rules import Phase
from networkfest.timing.services import session_phase
from networkfest.types import DbSession


def send_feedback_requests(db: DbSession, festival_session: FestivalSession, now: datetime) -> int:
    """Mail everyone who was in the room a link to the form, once each; returns mails sent."""
    if festival_session.cancelled or session_phase(festival_session, now) != Phase.ENDED:
        return 0
    if now > feedback_closes_at(festival_session.ends_at):
        return 0
    attendees = list(
        db.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(Presence.user_id).where(
                        Presence.user_id.is_not(None), *in_slot(festival_session)
                    )
                )
            )
            .order_by(User.id)
        )
    )
    link = absolute("insights.feedback", slug=festival_session.slug)
    closes = festival_datetime(
        feedback_closes_at(festival_session.ends_at), festival_session.festival.timezone
    )
    sent = 0
    for user in attendees:
        # Written before the claim's commit, so the SMTP conversation holds no transaction.
        mail = (
            user.email,
            f"Was it worth your time? {festival_session.title}",
            f"Hello {user.name},\n\nThank you for joining “{festival_session.title}”.\n"
            "Three questions, one minute: was it worth your time, what will you do "
            "differently, and would you join a follow-up?\n\n"
            f"{link}\n\nYou can change your answer until {closes}.\n",
        )
        if not claim(db, festival_session.id, user.id, "feedback", now):
            continue
        send_mail(*mail)
        sent += 1
    db.rollback()
    return sent
