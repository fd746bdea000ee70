"""Housekeeping of sign-ins: ended ones are deleted after a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app

from networkfest import jobs
from networkfest.accounts import services
from networkfest.extensions import db

# Ended sign-ins are kept this long (for a support question about a recent sign-out), then
# deleted; the job looks at most this often.
ENDED_SIGN_INS_KEPT = timedelta(days=30)
PRUNE_EVERY = timedelta(hours=6)
_NEXT_PRUNE = "networkfest.next_sign_in_prune"


def prune_sign_ins(now: datetime) -> datetime:
    """Every process may prune: deleting what another already deleted is harmless."""
    due: datetime | None = current_app.extensions.get(_NEXT_PRUNE)
    if due is None or now >= due:
        services.prune_ended_sign_ins(db.session, now - ENDED_SIGN_INS_KEPT)
        due = now + PRUNE_EVERY
        current_app.extensions[_NEXT_PRUNE] = due
    return due


def register(app: Flask) -> None:
    jobs.register(app, "sign-ins", prune_sign_ins)
