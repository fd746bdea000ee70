"""The personal agenda: a read model of the places a person holds, by festival day, with
clashes flagged. (The run sheet of a session is `programme`'s agenda items; this is the
attendee's own list.)"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from networkfest.accounts.models import User
from networkfest.programme.models import FestivalSession
from networkfest.registration import rules, services
from networkfest.registration.models import Registration
from networkfest.types import DbSession


@dataclass(frozen=True)
class PersonalAgendaEntry:
    session: FestivalSession
    status: str
    position: int | None
    clashes: list[FestivalSession]


@dataclass(frozen=True)
class PersonalAgendaDay:
    day: date
    entries: list[PersonalAgendaEntry]


@dataclass(frozen=True)
class Place:
    """A person's place in one session: `confirmed`, or `waitlisted` at `position`."""

    status: str
    position: int | None


def _held(db: DbSession, user: User) -> list[Registration]:
    return list(
        db.scalars(
            select(Registration)
            .join(FestivalSession, Registration.session_id == FestivalSession.id)
            .where(Registration.user_id == user.id, Registration.status.in_(rules.ACTIVE_STATUSES))
            .options(
                selectinload(Registration.session).selectinload(FestivalSession.festival),
                selectinload(Registration.session).selectinload(FestivalSession.theme),
                selectinload(Registration.session).selectinload(FestivalSession.hosts),
            )
            .order_by(FestivalSession.starts_at, FestivalSession.slug)
        )
    )


def _slot(festival_session: FestivalSession) -> rules.TimeSpan:
    return rules.TimeSpan(festival_session.id, festival_session.starts_at, festival_session.ends_at)


def clashes_for(
    db: DbSession, festival_session: FestivalSession, user: User
) -> list[FestivalSession]:
    """Sessions the person already holds a place in that overlap this one (cancelled ones aside)."""
    held = {r.session_id: r.session for r in _held(db, user) if not r.session.cancelled}
    found = rules.clashes_with(_slot(festival_session), [_slot(s) for s in held.values()])
    return [held[slot.key] for slot in found]


def my_agenda(db: DbSession, user: User) -> list[PersonalAgendaDay]:
    """The person's confirmed and waitlisted sessions by festival day, clashes flagged."""
    held = _held(db, user)
    sessions = {r.session_id: r.session for r in held}
    clashing = rules.clashing_keys([_slot(s) for s in sessions.values() if not s.cancelled])
    days: dict[date, list[PersonalAgendaEntry]] = defaultdict(list)
    for registration in held:
        festival_session = registration.session
        zone = ZoneInfo(festival_session.festival.timezone)
        days[festival_session.starts_at.astimezone(zone).date()].append(
            PersonalAgendaEntry(
                session=festival_session,
                status=registration.status,
                position=services.waitlist_position(db, registration),
                clashes=[sessions[key] for key in sorted(clashing.get(festival_session.id, ()))],
            )
        )
    return [PersonalAgendaDay(day, entries) for day, entries in sorted(days.items())]


_AHEAD_OF_IT = aliased(Registration)
# 1 + the waitlisted places queued ahead of this one in its session (`services._rank`), as a
# correlated subquery: every position of a person's places in one statement.
_RANK = (
    select(func.count(_AHEAD_OF_IT.id) + 1)
    .where(
        _AHEAD_OF_IT.session_id == Registration.session_id,
        _AHEAD_OF_IT.status == rules.RegistrationStatus.WAITLISTED,
        or_(
            _AHEAD_OF_IT.queued_at < Registration.queued_at,
            and_(
                _AHEAD_OF_IT.queued_at == Registration.queued_at,
                _AHEAD_OF_IT.id < Registration.id,
            ),
        ),
    )
    .correlate(Registration)
    .scalar_subquery()
)


def places(db: DbSession, user_id: int) -> dict[int, Place]:
    """The person's confirmed and waitlisted places by session id, waitlist positions
    included, in one query: what the programme's marks show for every session at once
    (`my_agenda` asks one query per waitlisted place)."""
    rows = db.execute(
        select(Registration.session_id, Registration.status, _RANK).where(
            Registration.user_id == user_id, Registration.status.in_(rules.ACTIVE_STATUSES)
        )
    )
    return {
        session_id: Place(
            status, int(rank) if status == rules.RegistrationStatus.WAITLISTED else None
        )
        for session_id, status, rank in rows
    }
