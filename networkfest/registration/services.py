"""Taking, giving up and reading places. The database enforces capacity, not Python.

The personal agenda, built from the places a person holds, is `personal_agenda.py`.

A seat is taken by one conditional UPDATE on `festival_sessions` (the CHECK constraint
backs it), duplicates are stopped by UNIQUE(session_id, user_id), and waitlist positions
are ranks computed on read, so concurrent requests can never overbook or share a position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from networkfest import signals
from networkfest.accounts.models import User
from networkfest.programme.models import FestivalSession
from networkfest.registration import rules
from networkfest.registration.models import Registration
from networkfest.registration.rules import RegistrationStatus
from networkfest.types import DbSession

# The statements a registration runs, built once: composing a statement and deriving its
# cache key cost more CPU than SQLite takes to run it.
_LOCK = (
    select(FestivalSession.id)
    .where(FestivalSession.id == bindparam("session_id"))
    .with_for_update()
)
_PLACE = select(Registration.id, Registration.status, Registration.queued_at).where(
    Registration.session_id == bindparam("session_id"),
    Registration.user_id == bindparam("user_id"),
)
_QUEUE = select(func.count(Registration.id), func.max(Registration.queued_at)).where(
    Registration.session_id == bindparam("session_id"),
    Registration.status == RegistrationStatus.WAITLISTED,
)
_AHEAD = select(func.count(Registration.id)).where(
    Registration.session_id == bindparam("session_id"),
    Registration.status == RegistrationStatus.WAITLISTED,
    or_(
        Registration.queued_at < bindparam("queued_at"),
        and_(
            Registration.queued_at == bindparam("queued_at"),
            Registration.id < bindparam("registration_id"),
        ),
    ),
)
_TAKE_SEAT = (
    update(FestivalSession)
    .where(
        FestivalSession.id == bindparam("session_id"),
        or_(
            FestivalSession.capacity.is_(None),
            FestivalSession.confirmed_count < FestivalSession.capacity,
        ),
    )
    .values(confirmed_count=FestivalSession.confirmed_count + 1)
    .execution_options(synchronize_session=False)
)
_INSERT = insert(cast(Table, Registration.__table__))


class RegistrationRefused(Exception):
    """The session takes no registrations (ended or cancelled); `code` is the API error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RegistrationResult:
    status: str
    position: int | None
    created: bool

    def as_json(self) -> dict[str, Any]:
        return state_json(self.status, self.position)


def state_json(status: str, position: int | None) -> dict[str, Any]:
    """The registration state as the JSON API shows it (docs/architecture.md): a position
    only on the waitlist."""
    if status == RegistrationStatus.WAITLISTED:
        return {"status": status, "position": position}
    return {"status": status}


def find_registration(
    db: DbSession, festival_session: FestivalSession, user: User
) -> Registration | None:
    return db.scalar(
        select(Registration).where(
            Registration.session_id == festival_session.id, Registration.user_id == user.id
        )
    )


def waitlist_position(db: DbSession, registration: Registration) -> int | None:
    """The rank by (queued_at, id) among the session's waitlisted registrations."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return _rank(db, registration.session_id, registration.queued_at, registration.id)


def _rank(db: DbSession, session_id: int, queued_at: datetime, registration_id: int) -> int:
    """1 + the waitlisted registrations queued ahead of (queued_at, id) in the session."""
    ahead = db.scalar(
        _AHEAD,
        {"session_id": session_id, "queued_at": queued_at, "registration_id": registration_id},
    )
    return int(ahead or 0) + 1


def registration_state(
    db: DbSession, festival_session: FestivalSession, user: User
) -> dict[str, Any]:
    """`{"status": "none"}` when the person never registered, else their current state."""
    registration = find_registration(db, festival_session, user)
    if registration is None:
        return {"status": "none"}
    return state_json(registration.status, waitlist_position(db, registration))


def _lock_session(db: DbSession, session_id: int) -> None:
    """Serialise the session's registrations, so queue places follow commit order and ranks
    never repeat: a row lock on PostgreSQL. On SQLite every transaction begins IMMEDIATE
    (`networkfest.database`) and so already holds the database's only write lock."""
    if db.get_bind().dialect.name == "sqlite":
        return
    db.execute(_LOCK, {"session_id": session_id})


def _queue(db: DbSession, session_id: int) -> tuple[int, datetime | None]:
    """How many are waiting, and the latest queue time among them, in one statement."""
    waiting, last = db.execute(_QUEUE, {"session_id": session_id}).one()
    return int(waiting), last


def _place(db: DbSession, session_id: int, user_id: int) -> Row[int, str, datetime] | None:
    """The person's registration as a plain row (id, status, queued_at), or None."""
    return db.execute(_PLACE, {"session_id": session_id, "user_id": user_id}).first()


def _take_seat(db: DbSession, session_id: int) -> bool:
    """One conditional UPDATE: true when a seat was free and is now ours."""
    result = db.execute(_TAKE_SEAT, {"session_id": session_id})
    return result.rowcount == 1  # type: ignore[attr-defined]


def _free_seat(db: DbSession, session_id: int) -> None:
    db.execute(
        update(FestivalSession)
        .where(FestivalSession.id == session_id, FestivalSession.confirmed_count > 0)
        .values(confirmed_count=FestivalSession.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )


def register(
    db: DbSession, festival_session: FestivalSession, user: User, now: datetime
) -> RegistrationResult:
    """Take a place, or a place in the queue; registering again returns the current state.

    One transaction under the session's lock: the answer is decided before the commit, since
    no one else can join or leave the queue until then (`_lock_session`).
    """
    refusal = rules.registration_refusal(festival_session.status, festival_session.ends_at, now)
    if refusal is not None:
        raise RegistrationRefused(refusal.code, refusal.message)
    session_id = festival_session.id
    _lock_session(db, session_id)
    existing = _place(db, session_id, user.id)
    if existing is not None and existing.status in rules.ACTIVE_STATUSES:
        position = None
        if existing.status == RegistrationStatus.WAITLISTED:
            position = _rank(db, session_id, existing.queued_at, existing.id)
        db.commit()
        return RegistrationResult(existing.status, position, created=False)
    if _take_seat(db, session_id):
        # Confirmed places are never queued again (capacity cannot drop below them), so
        # their queue time only records when they came.
        status, queued_at, waiting = RegistrationStatus.CONFIRMED, now, 0
    else:
        waiting, last = _queue(db, session_id)
        status, queued_at = RegistrationStatus.WAITLISTED, rules.queue_time(now, last)
    if existing is not None:
        return _requeue(db, session_id, existing.id, user.id, status, queued_at, now)
    try:
        db.execute(
            _INSERT,
            {
                "session_id": session_id,
                "user_id": user.id,
                "status": status,
                "queued_at": queued_at,
                "updated_at": now,
            },
        )
    except IntegrityError:
        db.rollback()
        return _current(db, session_id, user.id)
    db.commit()
    # A new row queues behind everyone waiting: its time is the latest and its id the highest,
    # given out under the lock after every row counted in `waiting` was committed.
    return RegistrationResult(
        status, waiting + 1 if status == RegistrationStatus.WAITLISTED else None, True
    )


def _requeue(
    db: DbSession,
    session_id: int,
    registration_id: int,
    user_id: int,
    status: str,
    queued_at: datetime,
    now: datetime,
) -> RegistrationResult:
    """Bring a cancelled registration back, keeping its row (and so its older id)."""
    requeued = db.execute(
        update(Registration)
        .where(
            Registration.id == registration_id, Registration.status == RegistrationStatus.CANCELLED
        )
        .values(status=status, queued_at=queued_at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if requeued.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        return _current(db, session_id, user_id)
    position = (
        _rank(db, session_id, queued_at, registration_id)
        if status == RegistrationStatus.WAITLISTED
        else None
    )
    db.commit()
    return RegistrationResult(status, position, created=True)


def _current(db: DbSession, session_id: int, user_id: int) -> RegistrationResult:
    """After a lost race (someone else wrote this person's row first): read it back, as is."""
    registration = db.scalar(
        select(Registration)
        .where(Registration.session_id == session_id, Registration.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    if registration is None:
        db.rollback()
        raise LookupError("registration vanished")
    result = RegistrationResult(
        registration.status, waitlist_position(db, registration), created=False
    )
    db.commit()
    return result


def _promote_next(db: DbSession, session_id: int, now: datetime) -> Registration | None:
    """Move the first of the queue into a free seat; None when no seat or no one is waiting."""
    while True:
        first = db.scalar(
            select(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.queued_at, Registration.id)
            .limit(1)
        )
        if first is None or not _take_seat(db, session_id):
            return None
        moved = db.execute(
            update(Registration)
            .where(
                Registration.id == first.id, Registration.status == RegistrationStatus.WAITLISTED
            )
            .values(status=RegistrationStatus.CONFIRMED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            db.refresh(first)
            return first
        _free_seat(db, session_id)


def fill_free_seats(
    db: DbSession, festival_session: FestivalSession, now: datetime
) -> list[Registration]:
    """Promote from the waitlist while seats are free (after a cancellation, a larger capacity).

    Each promotion is announced (`signals.place_promoted`) after the commit.
    """
    _lock_session(db, festival_session.id)
    promoted: list[Registration] = []
    while (registration := _promote_next(db, festival_session.id, now)) is not None:
        promoted.append(registration)
    # Read before the commit, so that no transaction is open while the receivers work.
    session_id = festival_session.id
    people = [registration.user_id for registration in promoted]
    db.commit()
    for user_id in people:
        signals.send(
            signals.place_promoted,
            "registration",
            session_id=session_id,
            user_id=user_id,
            now=now,
        )
    return promoted


def cancel_registration(db: DbSession, registration: Registration, now: datetime) -> bool:
    """Give up a place; a freed seat goes to the first on the waitlist at once.

    Returns False when there was nothing to cancel (already cancelled).
    """
    festival_session = registration.session
    _lock_session(db, festival_session.id)
    for status in rules.ACTIVE_STATUSES:
        changed = db.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.status == status)
            .values(status=RegistrationStatus.CANCELLED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:  # type: ignore[attr-defined]
            if status == RegistrationStatus.CONFIRMED:
                _free_seat(db, festival_session.id)
            break
    else:
        db.rollback()
        return False
    db.flush()
    db.refresh(registration)
    fill_free_seats(db, festival_session, now)
    db.refresh(festival_session)
    return True
