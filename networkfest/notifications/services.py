"""Telling people: reminders before their session, feedback requests after it, notices of
programme changes and promotions from the waitlist. One unit of work each.

Anything that must happen once per person across processes and restarts (a reminder,
a feedback request, a change notice) is claimed by inserting a unique `Reminder` row
first; the process whose insert wins sends, the others see an IntegrityError and skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from networkfest.accounts.models import User
from networkfest.clock import to_epoch_ms
from networkfest.formatting import festival_datetime
from networkfest.insights.rules import feedback_closes_at
from networkfest.links import absolute
from networkfest.live.models import Presence
from networkfest.live.presence import in_slot
from networkfest.mail import send_mail
from networkfest.notifications.models import Notice, Reminder
from networkfest.notifications.rules import (
    DEFAULT_REMINDER_MINUTES,
    NOTIFIED_CHANGES,
    reminder_due,
    reminder_due_at,
)
from networkfest.programme.changes import Change, ChangeKind
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.registration.models import Registration
from networkfest.registration.rules import ACTIVE_STATUSES, RegistrationStatus
from networkfest.timing.rules import Phase
from networkfest.timing.services import session_phase
from networkfest.types import DbSession

EmitNotice = Callable[[dict[str, Any], int], None]
Mail = tuple[str, str, str]


# Feedback requests ---------------------------------------------------------------------


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
        if not _claim(db, festival_session.id, user.id, "feedback", now):
            continue
        send_mail(*mail)
        sent += 1
    db.rollback()
    return sent


# Reminders -----------------------------------------------------------------------------


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
            if not _claim(db, festival_session.id, user_id, "before", now):
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


def _claim(db: DbSession, session_id: int, user_id: int, kind: str, now: datetime) -> bool:
    """Insert the unique claim and commit it; False when another process got there first."""
    try:
        with db.begin_nested():
            db.add(Reminder(session_id=session_id, user_id=user_id, kind=kind, sent_at=now))
    except IntegrityError:
        db.rollback()
        return False
    db.commit()
    return True


# Change notices ------------------------------------------------------------------------


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
            if not _claim(db, festival_session.id, user.id, claim_kind, now):
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


# Promotions from the waitlist ----------------------------------------------------------


def promoted_message(festival_session: FestivalSession) -> str:
    return f"A place came free: you are now confirmed for “{festival_session.title}”."


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
    notice = {"kind": "promoted", "session": festival_session.slug, "message": message}
    db.add(
        Notice(
            user_id=user_id,
            session_id=session_id,
            kind="promoted",
            message=message,
            created_at=now,
        )
    )
    db.commit()
    send_mail(*mail)
    emit_notice(notice, user_id)
