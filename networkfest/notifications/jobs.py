"""The notifications' jobs: remind confirmed attendees shortly before their session starts;
follow up commitments weeks after their session; mail a session's outcomes to the people who
were in the room once it has ended."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from networkfest import jobs
from networkfest.extensions import db
from networkfest.notifications import follow_ups, outcomes, reminders
from networkfest.notifications.receivers import emit_notice


def remind(now: datetime) -> datetime | None:
    """Reminders are claimed per person in the database, so every process may try them."""
    minutes = current_app.config["REMINDER_MINUTES"]
    reminders.send_due_reminders(db.session, now, emit_notice, minutes)
    return reminders.next_reminder_due(db.session, now, minutes)


def follow_up(now: datetime) -> datetime | None:
    """Follow-ups are claimed per commitment in the database, so every process may try them."""
    follow_ups.send_due_follow_ups(db.session, now)
    return follow_ups.next_follow_up_due(db.session, now)


def mail_outcomes(now: datetime) -> datetime | None:
    """Outcomes mails are claimed per person in the database, so every process may try them."""
    outcomes.send_outcomes_mails(db.session, now)
    return outcomes.next_outcomes_due(db.session, now)


def register(app: Flask) -> None:
    jobs.register(app, "reminders", remind)
    jobs.register(app, "follow_ups", follow_up)
    jobs.register(app, "outcomes", mail_outcomes)
