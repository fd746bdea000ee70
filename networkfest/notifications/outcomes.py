"""The "what came out of it" mail: once a session has ended and its hosts have written its
outcomes, everyone who was in the room (but its hosts) hears about them, once.

Written during the last item, the outcomes go out at the end; written after the end, on the
job's next run. Each person is claimed before their mail is sent (`claims.claim`, kind
`outcomes`), so two processes never mail anyone twice and a restart loses no one; once
everyone has a claim the outcomes are marked mailed (`Outcome.mailed_at`) and later edits
send nothing: the mail links to the session's page, where the latest version is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, func, select, update

from networkfest.accounts.models import User
from networkfest.links import absolute
from networkfest.live.models import Presence
from networkfest.live.presence import in_slot
from networkfest.mail import send_mail
from networkfest.notifications.claims import claim
from networkfest.notifications.models import Reminder
from networkfest.outcomes.models import Outcome
from networkfest.programme.models import FestivalSession, session_hosts
from networkfest.programme.rules import SessionStatus
from networkfest.types import DbSession

KIND = "outcomes"
Mail = tuple[str, str, str]

# Outcomes not yet mailed, of sessions still on the programme.
_UNMAILED = (
    select(Outcome, FestivalSession)
    .join(FestivalSession, FestivalSession.id == Outcome.session_id)
    .where(Outcome.mailed_at.is_(None), FestivalSession.status == SessionStatus.SCHEDULED)
)


def send_outcomes_mails(db: DbSession, now: datetime) -> int:
    """Mail the outcomes of every ended session to the people who were in its room, once
    each; returns how many mails this process sent."""
    due = db.execute(
        _UNMAILED.where(FestivalSession.ends_at <= now).order_by(
            FestivalSession.ends_at, FestivalSession.id
        )
    ).all()
    sent = 0
    for outcome, festival_session in due:
        outcome_id, session_id = outcome.id, festival_session.id
        waiting = _waiting(festival_session)
        mails = [
            (user.id, _mail(user, outcome, festival_session))
            for user in db.scalars(waiting.order_by(User.id))
        ]
        for user_id, mail in mails:
            if not claim(db, session_id, user_id, KIND, now):
                continue
            send_mail(*mail)
            sent += 1
        _mark_mailed(db, outcome_id, waiting, now)
    db.rollback()
    return sent


def next_outcomes_due(db: DbSession, now: datetime) -> datetime | None:
    """When `send_outcomes_mails` next has work: now if ended sessions' outcomes wait, else the
    end of the first session whose outcomes are written and waiting for it, else None."""
    ends_at = db.scalar(
        select(func.min(FestivalSession.ends_at))
        .join(Outcome, Outcome.session_id == FestivalSession.id)
        .where(Outcome.mailed_at.is_(None), FestivalSession.status == SessionStatus.SCHEDULED)
    )
    db.rollback()
    if ends_at is None:
        return None
    return max(ends_at, now)


def _waiting(festival_session: FestivalSession) -> Select[User]:
    """The people who were in the room during the slot (the lobby alone is not), other than
    its hosts, who wrote the outcomes, and have no claim yet. Built before any claim's commit,
    so later reads need not load the session again (which would hold a transaction through
    SMTP)."""
    session_id = festival_session.id
    return select(User).where(
        User.id.in_(
            select(Presence.user_id).where(
                Presence.user_id.is_not(None), *in_slot(festival_session)
            )
        ),
        ~exists().where(
            session_hosts.c.session_id == session_id, session_hosts.c.user_id == User.id
        ),
        ~exists().where(
            Reminder.session_id == session_id,
            Reminder.user_id == User.id,
            Reminder.kind == KIND,
        ),
    )


def _mail(user: User, outcome: Outcome, festival_session: FestivalSession) -> Mail:
    page = absolute("programme.session_page", slug=festival_session.slug)
    parts = [
        f"Hello {user.name},",
        f"Thank you for joining “{festival_session.title}”. Its hosts have written up what "
        "came out of it.",
    ]
    if outcome.summary:
        parts.append(outcome.summary)
    if outcome.links:
        parts.append(
            "Links:\n" + "\n".join(f"- {link['title']}: {link['url']}" for link in outcome.links)
        )
    parts.append(
        "The session's page always has the latest version, if the hosts change it:\n" + page
    )
    return (user.email, f"What came out of it: {festival_session.title}", "\n\n".join(parts) + "\n")


def _mark_mailed(db: DbSession, outcome_id: int, waiting: Select[User], now: datetime) -> None:
    """Mailed once everyone who was in the room has a claim, whoever sent it; a conditional
    UPDATE, so it is marked once."""
    if db.scalar(select(waiting.exists())):
        db.rollback()
        return
    db.execute(
        update(Outcome)
        .where(Outcome.id == outcome_id, Outcome.mailed_at.is_(None))
        .values(mailed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.commit()
