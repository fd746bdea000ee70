"""Preparing the demo: publish the shifted programme and make the accounts to try it with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from networkfest.accounts import services as accounts
from networkfest.demo.rules import shift_for_demo
from networkfest.programme.rules import check
from networkfest.programme.services import PublishResult, publish_schedule
from networkfest.types import DbSession


@dataclass
class DemoAccount:
    role: str
    email: str
    name: str
    password: str


@dataclass
class DemoResult:
    publish: PublishResult
    accounts: list[DemoAccount]
    live_session: str | None
    next_session: str | None


DEMO_PASSWORD = "networkfest-demo"


def prepare_demo(db: DbSession, text: str, now: datetime) -> DemoResult:
    """Publish the demo programme moved around `now`, and make the three demo accounts.

    Idempotent: a second run moves the programme again and keeps the accounts (their
    passwords are reset to the demo password so the printed instructions stay true).
    """
    checked = check(text)
    if checked.schedule is None:
        return DemoResult(PublishResult(problems=checked.problems), [], None, None)
    shifted = shift_for_demo(checked.schedule, now)
    outcome = publish_schedule(db, shifted, text, now, warnings=checked.warnings)
    if not outcome.ok:
        return DemoResult(outcome, [], None, None)
    host_email = next(email for s in shifted.sessions for email in s.hosts)
    wanted = [
        DemoAccount("organiser", "organiser@example.org", "Olu Organiser", DEMO_PASSWORD),
        DemoAccount("host", host_email, shifted.host_name(host_email), DEMO_PASSWORD),
        DemoAccount("attendee", "attendee@example.org", "Ada Attendee", DEMO_PASSWORD),
    ]
    for account in wanted:
        user = accounts.user_by_email(db, account.email)
        if user is None:
            user = accounts.create_user(
                db,
                account.email,
                account.name,
                account.password,
                now,
                organiser=account.role == "organiser",
            )
        else:
            account.name = user.name
            if not accounts.check_password(user, account.password):
                accounts.set_password(db, user, account.password)
        if account.role == "organiser" and not user.organiser:
            user.organiser = True
            db.commit()
    live = next((s for s in shifted.sessions if s.starts_at <= now < s.ends_at), None)
    upcoming = sorted((s for s in shifted.sessions if s.starts_at > now), key=lambda s: s.starts_at)
    return DemoResult(
        outcome,
        wanted,
        live.slug if live else None,
        upcoming[0].slug if upcoming else None,
    )
