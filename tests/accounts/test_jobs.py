"""Ended sign-ins are pruned by a job, with the clock injected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from networkfest.accounts import jobs as accounts_jobs
from networkfest.accounts import services
from networkfest.accounts.models import SignIn
from networkfest.clock import SettableClock
from networkfest.extensions import db


def test_ended_sign_ins_go_after_thirty_days_and_open_ones_stay(
    app: Flask, factory: Any, clock: SettableClock
) -> None:
    person = factory.user()
    signed_in_at = clock.now()
    for _ in range(3):
        services.start_sign_in(db.session, person, signed_in_at)
    ended, *kept = db.session.scalars(select(SignIn.id).order_by(SignIn.id)).all()
    services.end_sign_in(db.session, person.id, ended, signed_in_at)

    clock.set(signed_in_at + accounts_jobs.ENDED_SIGN_INS_KEPT - timedelta(minutes=1))
    first = accounts_jobs.prune_sign_ins(clock.now())
    assert first == clock.now() + accounts_jobs.PRUNE_EVERY
    assert db.session.scalar(select(SignIn.id).where(SignIn.id == ended)) == ended

    # Not looked at again until the next prune is due, then gone.
    clock.set(first)
    accounts_jobs.prune_sign_ins(clock.now())
    remaining = db.session.scalars(select(SignIn.id).order_by(SignIn.id)).all()
    assert remaining == kept


def test_the_job_runner_runs_the_prune(app: Flask) -> None:
    from networkfest import jobs

    assert app.extensions[jobs.JOBS_KEY]["sign-ins"] is accounts_jobs.prune_sign_ins
