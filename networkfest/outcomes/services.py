"""Outcomes' units of work: read a session's outcomes, and save them for its hosts.

Saving checks everything on the server whatever the client sent: who writes (the session's
hosts and the organisers), when (the run sheet's last item until 48 hours after the end, as
`rules.writing_refusal` says from the run sheet at `now`) and what (`rules.clean_outcomes`).
Nothing here mails anyone: the notifications slice mails the people who were in the room once
the session has ended and its outcomes exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from networkfest import process_cache
from networkfest.accounts.models import User
from networkfest.audit import services as audit
from networkfest.audit.rules import AuditAction
from networkfest.formatting import iso
from networkfest.outcomes import rules
from networkfest.outcomes.models import Outcome
from networkfest.outcomes.rules import CleanOutcomes, Refusal
from networkfest.programme.models import FestivalSession
from networkfest.timing.services import run_sheet
from networkfest.types import DbSession


class OutcomesRefused(Exception):
    """Outcomes cannot be written by this person (`forbidden`) or now (a `rules.Refusal`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


FORBIDDEN = "Only this session's hosts and the organisers can write its outcomes."


def as_json(outcome: Outcome) -> dict[str, Any]:
    """The API's outcomes object: `{summary, links, updated_at}`."""
    return {
        "summary": outcome.summary,
        "links": [{"title": link["title"], "url": link["url"]} for link in outcome.links],
        "updated_at": iso(outcome.updated_at),
    }


def outcome_of(db: DbSession, session_id: int) -> Outcome | None:
    return db.scalar(select(Outcome).where(Outcome.session_id == session_id))


WRITTEN = "outcomes.written"


def outcomes_written(db: DbSession) -> Mapping[int, datetime]:
    """When each session's outcomes were last written, by session id: read once per change
    in each process, since every visitor's session page and every agenda asks."""

    def read() -> Mapping[int, datetime]:
        rows = db.execute(select(Outcome.session_id, Outcome.updated_at))
        return MappingProxyType({session_id: updated_at for session_id, updated_at in rows})

    return process_cache.read_through(db, WRITTEN, WRITTEN, read)


process_cache.forget_when_written(WRITTEN, (Outcome,))


@dataclass(frozen=True)
class WindowState:
    """The writing window at an instant, for the hosts' panel: when it opens and closes, and
    why it is shut now (None while open)."""

    window: rules.Window
    refusal: Refusal | None

    @property
    def open(self) -> bool:
        return self.refusal is None


def window_of(db: DbSession, festival_session: FestivalSession, now: datetime) -> WindowState:
    sheet = run_sheet(db, festival_session, now)
    return WindowState(
        window=rules.writing_window(sheet),
        refusal=rules.writing_refusal(sheet, cancelled=festival_session.cancelled),
    )


def may_write(festival_session: FestivalSession, user: User | None) -> bool:
    return user is not None and rules.may_write(
        verified=user.verified, host=festival_session.is_host(user), organiser=user.organiser
    )


def save(
    db: DbSession,
    festival_session: FestivalSession,
    user: User | None,
    summary: Any,
    links: Any,
    now: datetime,
) -> Outcome:
    """Write (or rewrite) a session's outcomes; returns them, committed.

    Raises `OutcomesRefused` (who, or when) before looking at the content, then
    `OutcomesInvalid` with every problem of the content. Two hosts saving at once: the
    unique session id lets one insert, and the other's save becomes an update (last wins).
    """
    if user is None or not may_write(festival_session, user):
        raise OutcomesRefused("forbidden", FORBIDDEN)
    state = window_of(db, festival_session, now)
    if state.refusal is not None:
        raise OutcomesRefused(state.refusal.value, rules.REFUSAL_MESSAGES[state.refusal])
    clean = rules.clean_outcomes(summary, links)
    outcome = _write(db, festival_session.id, user.id, clean, now)
    audit.record(
        db,
        actor_id=user.id,
        action=AuditAction.OUTCOMES_SAVE,
        target=festival_session.slug,
        now=now,
        detail={"links": len(clean.links), "summary_length": len(clean.summary)},
    )
    db.commit()
    return outcome


def _write(
    db: DbSession, session_id: int, user_id: int, clean: CleanOutcomes, now: datetime
) -> Outcome:
    outcome = outcome_of(db, session_id)
    if outcome is None:
        try:
            with db.begin_nested():
                outcome = Outcome(
                    session_id=session_id,
                    summary=clean.summary,
                    links=clean.links_json(),
                    updated_by=user_id,
                    created_at=now,
                    updated_at=now,
                )
                db.add(outcome)
        except IntegrityError:
            outcome = outcome_of(db, session_id)
            if outcome is None:
                raise
        else:
            return outcome
    outcome.summary = clean.summary
    outcome.links = clean.links_json()
    outcome.updated_by = user_id
    outcome.updated_at = now
    return outcome
