"""Reminders: confirmed attendees hear shortly before their session starts, once each."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from networkfest.accounts.models import User
from networkfest.clock import to_epoch_ms
from networkfest.formatting import festival_datetime
from networkfest.mail import send_mail
from networkfest.notifications.claims import claim
from networkfest.notifications.models import Reminder
from networkfest.notifications.notices import EmitNotice
from networkfest.notifications.rules import (
    DEFAULT_REMINDER_MINUTES,
    reminder_due,
    reminder_due_at,
)
from networkfest.programme.models import FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.registration.models import Registration
from networkfest.registration.rules import RegistrationStatus
from networkfest.types import DbSession

Mail = tuple[str, str, str]


def send_due_reminders(
    db: DbSession,
    now: datetime,
    emit_notice: EmitNotice,
    minutes: int = DEFAULT_REMINDER_MINUTES,
) -> int:
    """Remind each confirmed attendee of a session starting within `minutes`, once; returns
    how many were sent here. Waitlisted people get none: they have no place to go to."""
    sessions = _sessions_starting(db, now, minutes)
    sent = 0
    for festival_session in sessions:
        if not reminder_due(festival_session.starts_at, now, minutes):
            continue
        for user in _unreminded_attendees(db, festival_session, "before"):
            user_id = user.id
            mail, notice = _reminder(festival_session, user)
            if not claim(db, festival_session.id, user_id, "before", now):
                continue
            send_mail(*mail)
            emit_notice(notice, user_id)
            sent += 1
    db.rollback()
    return sent


def next_reminder_due(
    db: DbSession, now: datetime, minutes: int = DEFAULT_REMINDER_MINUTES
) -> datetime | None:
    """When `send_due_reminders` next has work: now if some are due, else the earliest
    future due time, or None when every upcoming session's attendees have theirs."""
    upcoming = db.scalars(
        select(FestivalSession)
        .where(FestivalSession.status == SessionStatus.SCHEDULED, FestivalSession.starts_at > now)
        .where(
            exists().where(
                Registration.session_id == FestivalSession.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                ~exists().where(
                    Reminder.session_id == Registration.session_id,
                    Reminder.user_id == Registration.user_id,
                    Reminder.kind == "before",
                ),
            )
        )
        .order_by(FestivalSession.starts_at)
        .limit(1)
    ).first()
    db.rollback()
    if upcoming is None:
        return None
    return max(reminder_due_at(upcoming.starts_at, minutes), now)


def _sessions_starting(db: DbSession, now: datetime, minutes: int) -> list[FestivalSession]:
    return list(
        db.scalars(
            select(FestivalSession)
            .where(
                FestivalSession.status == SessionStatus.SCHEDULED,
                FestivalSession.starts_at > now,
                FestivalSession.starts_at <= now + timedelta(minutes=minutes),
            )
            .options(selectinload(FestivalSession.festival))
            .order_by(FestivalSession.starts_at, FestivalSession.id)
        )
    )


def _unreminded_attendees(
    db: DbSession, festival_session: FestivalSession, kind: str
) -> list[User]:
    return list(
        db.scalars(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(
                Registration.session_id == festival_session.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                ~exists().where(
                    Reminder.session_id == festival_session.id,
                    Reminder.user_id == User.id,
                    Reminder.kind == kind,
                ),
            )
            .order_by(User.id)
        )
    )


def _reminder(festival_session: FestivalSession, user: User) -> tuple[Mail, dict[str, Any]]:
    """The reminder's mail (to, subject, body) and live notice, read before the claim's
    commit: after it, reading an attribute would reopen a transaction (on SQLite the write
    lock) and hold it through the SMTP conversation."""
    starts = festival_datetime(festival_session.starts_at, festival_session.festival.timezone)
    link = f"{current_app.config['BASE_URL']}/sessions/{festival_session.slug}/live"
    message = f"“{festival_session.title}” starts at {starts}."
    mail = (
        user.email,
        f"Starting soon: {festival_session.title}",
        f"Hello {user.name},\n\n{message}\nThe live room opens here:\n{link}\n",
    )
    notice = {
        "kind": "reminder",
        "session": festival_session.slug,
        "title": festival_session.title,
        "starts_at": to_epoch_ms(festival_session.starts_at),
        "message": message,
        "url": link,
    }
    return mail, notice
