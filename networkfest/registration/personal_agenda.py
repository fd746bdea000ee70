"""The personal agenda: a read model of the places a person holds, and the sessions they
host, by festival day, with clashes flagged. (The run sheet of a session is `programme`'s
agenda items; this is the person's own list.)

A host is in their session's room by right and is not offered a place in it, so a session
they host is in their agenda, their calendar feed and the programme's marks as `hosting`,
whether or not they also hold a place in it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased, selectinload

from networkfest.accounts.models import User
from networkfest.programme.models import FestivalSession, session_hosts
from networkfest.registration import rules, services
from networkfest.registration.models import Registration
from networkfest.types import DbSession

# A session's place in a person's agenda when they host it: not a registration's status.
HOSTING = "hosting"


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
    """A person's place in one session: `confirmed`, `waitlisted` at `position`, or
    `hosting`."""

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
    """Sessions the person already holds a place in, or hosts, that overlap this one
    (cancelled ones aside)."""
    mine = {r.session_id: r.session for r in _held(db, user)} | {s.id: s for s in _hosted(db, user)}
    held = {key: s for key, s in mine.items() if not s.cancelled}
    found = rules.clashes_with(_slot(festival_session), [_slot(s) for s in held.values()])
    return [held[slot.key] for slot in found]


def _hosted(db: DbSession, user: User) -> list[FestivalSession]:
    return list(
        db.scalars(
            select(FestivalSession)
            .join(session_hosts, session_hosts.c.session_id == FestivalSession.id)
            .where(session_hosts.c.user_id == user.id)
            .options(
                selectinload(FestivalSession.festival),
                selectinload(FestivalSession.theme),
                selectinload(FestivalSession.hosts),
            )
        )
    )


def my_agenda(db: DbSession, user: User, *, hosting: bool = False) -> list[PersonalAgendaDay]:
    """The person's confirmed and waitlisted sessions by festival day, clashes flagged; with
    `hosting`, the sessions they host too (the API's list is of registrations alone)."""
    held = _held(db, user)
    hosted = {s.id: s for s in _hosted(db, user)} if hosting else {}
    entries = [(s, HOSTING, None) for s in hosted.values()] + [
        (r.session, r.status, services.waitlist_position(db, r))
        for r in held
        if r.session_id not in hosted
    ]
    entries.sort(key=lambda entry: (entry[0].starts_at, entry[0].slug))
    sessions = {s.id: s for s, _, _ in entries}
    clashing = rules.clashing_keys([_slot(s) for s in sessions.values() if not s.cancelled])
    days: dict[date, list[PersonalAgendaEntry]] = defaultdict(list)
    for festival_session, status, position in entries:
        zone = ZoneInfo(festival_session.festival.timezone)
        days[festival_session.starts_at.astimezone(zone).date()].append(
            PersonalAgendaEntry(
                session=festival_session,
                status=status,
                position=position,
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
    """The person's confirmed and waitlisted places, and the sessions they host, by session
    id, waitlist positions included, in one query: what the programme's marks show for every
    session at once (`my_agenda` asks one query per waitlisted place)."""
    rows = db.execute(
        union_all(
            select(Registration.session_id, Registration.status, _RANK).where(
                Registration.user_id == user_id, Registration.status.in_(rules.ACTIVE_STATUSES)
            ),
            select(session_hosts.c.session_id, literal(HOSTING), null()).where(
                session_hosts.c.user_id == user_id
            ),
        )
    )
    found: dict[int, Place] = {}
    for session_id, status, rank in rows:
        if status == HOSTING or session_id not in found:  # hosting before a place held too
            found[session_id] = Place(
                status, int(rank) if status == rules.RegistrationStatus.WAITLISTED else None
            )
    return found
