"""Everything the festival keeps about one person, asked of each slice for its own part.

Each slice that keeps personal data has a `personal` module with two functions:
`export(db, user) -> dict` (its keys in the download) and `erase(db, user, now)` (its part
of the erasure, uncommitted). Privacy reads no slice's tables itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from networkfest import signals
from networkfest.accounts import personal as accounts
from networkfest.accounts.models import User
from networkfest.audit import personal as audit
from networkfest.commitments import personal as commitments
from networkfest.insights import personal as insights
from networkfest.live import personal as live
from networkfest.notifications import personal as notifications
from networkfest.outcomes import personal as outcomes
from networkfest.peers import personal as peers
from networkfest.polls import personal as polls
from networkfest.programme import personal as programme
from networkfest.qa import personal as qa
from networkfest.registration import personal as registration
from networkfest.types import DbSession


class PersonalData(Protocol):
    def export(self, db: DbSession, user: User) -> dict[str, Any]: ...

    def erase(self, db: DbSession, user: User, now: datetime) -> None: ...


# Erased in this order: places first (a freed seat goes to the waitlist), the account last.
PARTS: tuple[PersonalData, ...] = (
    registration,
    qa,
    polls,
    live,
    insights,
    commitments,
    peers,
    notifications,
    outcomes,
    programme,
    audit,
    accounts,
)


def export_user_data(db: DbSession, user: User) -> dict[str, Any]:
    """Everything the festival keeps about one person (a UK GDPR subject access request)."""
    data: dict[str, Any] = {}
    for part in PARTS:
        data.update(part.export(db, user))
    return data


def delete_account(db: DbSession, user: User, now: datetime) -> None:
    """Erase a person: their places go (a confirmed one to the waitlist of a session that has
    not ended), their votes go, their questions and feedback stay but no longer point at
    them. Every live connection of theirs closes, in every process."""
    user_id = user.id
    for part in PARTS:
        part.erase(db, user, now)
    db.commit()
    signals.send(
        signals.credentials_changed,
        "privacy",
        user_id=user_id,
        reason="deleted",
        sign_in_ids=[],
        token_id=None,
        everything=True,
    )
