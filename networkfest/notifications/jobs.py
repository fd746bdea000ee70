"""The reminders' job: remind confirmed attendees shortly before their session starts."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from networkfest import jobs
from networkfest.extensions import db
from networkfest.notifications import reminders
from networkfest.notifications.receivers import emit_notice


def remind(now: datetime) -> datetime | None:
    """Reminders are claimed per person in the database, so every process may try them."""
    minutes = current_app.config["REMINDER_MINUTES"]
    reminders.send_due_reminders(db.session, now, emit_notice, minutes)
    return reminders.next_reminder_due(db.session, now, minutes)


def register(app: Flask) -> None:
    jobs.register(app, "reminders", remind)
