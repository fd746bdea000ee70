"""Taking, giving up and reading places. The database enforces capacity, not Python.

The personal agenda, built from the places a person holds, is `personal_agenda.py`.

A seat is taken by one conditional UPDATE on `festival_sessions` (the CHECK constraint
backs it), duplicates are stopped by UNIQUE(session_id, user_id), and waitlist positions
are ranks computed on read, so concurrent requests can never overbook or share a position.

On PostgreSQL every round trip waits for a turn of the gevent hub, so a new place is one:
the session's lock, the seat or else the queue with the row in one statement, and the commit,
sent as one batch (`_seat_else_queue`; docs/benchmarks.md, "Registration in one batch"). Its
status and times come from what was published and the person's place is not read first: a
row they already have is met as a conflict (`register`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Row,
    Table,
    and_,
    bindparam,
    case,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from networkfest import database, process_cache, signals
from networkfest.accounts.models import User
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import room_to_read
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
# How many are waiting, and the latest queue time among them.
_QUEUE = select(
    func.count(Registration.id).label("waiting"),
    func.max(Registration.queued_at).label("last"),
).where(
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


# The session's row lock with its seats as they are once locked (`_register_again`).
_LOCKED = (
    select(FestivalSession.capacity, FestivalSession.confirmed_count)
    .where(FestivalSession.id == bindparam("session_id"))
    .with_for_update()
)
Seats = Row[int | None, int]

# PostgreSQL only (SQLite has no INSERT or UPDATE inside a WITH; there each part is its own
# statement, all under the database's write lock anyway): a new place in one statement, run
# after the session's lock (`_LOCK`) in one batch with the commit (`_seat_else_queue`).
_NOW = bindparam("now", type_=Registration.queued_at.type)
_COLUMNS = ["session_id", "user_id", "status", "queued_at", "updated_at"]
# the seat, if one is free;
_SEAT = _TAKE_SEAT.returning(FestivalSession.id).cte("seat")
_SEATED = exists(select(_SEAT.c.id))
# the queue as it was before this statement (no part of a statement sees what the statement
# writes);
_WAITING = _QUEUE.cte("waiting")
# and the person's row: confirmed in the seat, or else waitlisted at the back of the queue,
# at `rules.queue_time(now, the latest waiting)`.
_NEW_ROW = (
    insert(cast(Table, Registration.__table__))
    .from_select(
        _COLUMNS,
        select(
            bindparam("session_id"),
            bindparam("user_id"),
            case(
                (_SEATED, bindparam("confirmed", RegistrationStatus.CONFIRMED.value)),
                else_=bindparam("waitlisted", RegistrationStatus.WAITLISTED.value),
            ),
            case((and_(~_SEATED, _WAITING.c.last > _NOW), _WAITING.c.last), else_=_NOW),
            _NOW,
        ).select_from(_WAITING),
    )
    .returning(Registration.status)
    .cte("place")
)
_SEAT_ELSE_QUEUE = select(_NEW_ROW.c.status, _WAITING.c.waiting).select_from(
    _NEW_ROW.join(_WAITING, true())
)


_CONFIRMED_AMONG = select(Registration.session_id, Registration.user_id).where(
    tuple_(Registration.session_id, Registration.user_id).in_(bindparam("places", expanding=True)),
    Registration.status == RegistrationStatus.CONFIRMED,
)
_PLACES_SEEN = "registration.places_seen"


def holds_confirmed_place(db: DbSession, session_id: int, user_id: int) -> bool:
    """Whether the person has a confirmed place in the session, read once per transaction:
    a live event asks it for the right to act and again for the rules' viewer, and in a
    vote storm each read is a round trip holding a pooled connection. Forgotten when the
    transaction ends, so a place taken or given up is seen by the next one."""
    key = (session_id, user_id)
    read_confirmed_places(db, [key])
    seen: bool = db.info[_PLACES_SEEN][key]
    return seen


def read_confirmed_places(db: DbSession, wanted: Iterable[tuple[int, int]]) -> None:
    """Read whether each (session id, person id) holds a confirmed place, all in one query,
    into what `holds_confirmed_place` answers from for the rest of the transaction: a
    group of votes asks it of everyone in the group."""
    seen: dict[tuple[int, int], bool] = db.info.setdefault(_PLACES_SEEN, {})
    unknown = [key for key in set(wanted) if key not in seen]
    if not unknown:
        return
    confirmed: set[tuple[int, int]] = set(db.execute(_CONFIRMED_AMONG, {"places": unknown}))
    for key in unknown:
        seen[key] = key in confirmed


@event.listens_for(Session, "after_transaction_end")
def _forget_places_seen(db_session: Session, _transaction: Any) -> None:
    db_session.info.pop(_PLACES_SEEN, None)


class RegistrationRefused(Exception):
    """The session takes no registrations (ended or cancelled); `code` is the API error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CancellationRefused(RegistrationRefused):
    """The place can no longer be given up: the session has ended (`rules.cancellation_refusal`)."""


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
    if not database.on_postgresql(db):
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
    taken: bool = result.rowcount == 1  # type: ignore[attr-defined]
    if taken:
        _seats_changed(db)
    return taken


def _seats_changed(db: DbSession) -> None:
    """The places left are on the public pages, read from each process's copy."""
    process_cache.statement_wrote(db, FestivalSession, "update")


def _free_seat(db: DbSession, session_id: int) -> None:
    db.execute(
        update(FestivalSession)
        .where(FestivalSession.id == session_id, FestivalSession.confirmed_count > 0)
        .values(confirmed_count=FestivalSession.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    _seats_changed(db)


def register(
    db: DbSession, festival_session: FestivalSession, user: User, now: datetime
) -> RegistrationResult:
    """Take a place, or a place in the queue; registering again returns the current state.

    The session's status and times are what was published (`festival_session`, which may be
    this process's copy); its seats and queue are read under its lock. The person's
    place is not read first: a new row that meets theirs (from their other request, or a
    place they gave up) fails as a conflict, and they register again (`_register_again`). So
    a new place is one round trip on PostgreSQL (`_seat_else_queue`), and the answer is
    decided under the lock, before the commit: no one else can join or leave the queue until
    then.
    """
    refusal = rules.registration_refusal(festival_session.status, festival_session.ends_at, now)
    if refusal is not None:
        db.rollback()
        raise RegistrationRefused(refusal.code, refusal.message)
    session_id, user_id = festival_session.id, user.id
    try:
        if database.on_postgresql(db):
            status, waiting = _seat_else_queue(db, session_id, user_id, now)
        else:
            status, waiting = _seat_else_queue_on_sqlite(db, session_id, user_id, now)
    except IntegrityError:  # they have a row: nothing of this attempt was written
        db.rollback()
        return _register_again(db, session_id, user_id, now)
    db.commit()
    if status == RegistrationStatus.CONFIRMED:
        return RegistrationResult(RegistrationStatus.CONFIRMED, None, True)
    # A new row queues behind everyone waiting: its time is the latest and its id the highest,
    # given out under the lock after every row counted in `waiting` was committed.
    return RegistrationResult(RegistrationStatus.WAITLISTED, waiting + 1, True)


def register_by_slug(
    db: DbSession, slug: str, user: User, now: datetime
) -> RegistrationResult | None:
    """`register` for the session a URL's slug names, its published facts from this
    process's copy, read where it is (`programme.queries.room_to_read`: status and times
    change only with a new version); None when there is no such session."""
    festival_session = room_to_read(db, slug)
    if festival_session is None:
        return None
    return register(db, festival_session, user, now)


def _seat_else_queue(
    db: DbSession, session_id: int, user_id: int, now: datetime
) -> tuple[str, int]:
    """PostgreSQL: the session's lock, then a seat or else the back of the queue with the
    person's row, committed in one message (`database.committed_in_one_message`); the row's
    status, and how many were waiting before it.

    The lock serialises the session's new places, so queue places follow commit order and
    ranks never repeat; the second statement starts once the lock is granted, so it counts
    every place committed before. In one batch the lock lasts the server's own time: sent
    one by one, it lasted three round trips, and the session's registrations queued behind
    it (docs/benchmarks.md, "Registration in one batch")."""
    params = {"session_id": session_id, "user_id": user_id, "now": now}
    _, [(status, waiting)] = database.committed_in_one_message(
        db, [(_LOCK, params), (_SEAT_ELSE_QUEUE, params)]
    )
    if status == RegistrationStatus.CONFIRMED:
        _seats_changed(db)
    return status, int(waiting)


def _seat_free(session: Seats) -> bool:
    return bool(session.capacity is None or session.confirmed_count < session.capacity)


def _seat_else_queue_on_sqlite(
    db: DbSession, session_id: int, user_id: int, now: datetime
) -> tuple[str, int]:
    """`_seat_else_queue` on SQLite, a statement at a time: the transaction has held the
    database's only write lock since it began (`networkfest.database`), so nothing changes
    between them. Confirmed places are never queued again (capacity cannot drop below them),
    so their queue time only records when they came."""
    if _take_seat(db, session_id):
        status, waiting, queued_at = RegistrationStatus.CONFIRMED, 0, now
    else:
        waiting, last = _queue(db, session_id)
        status, queued_at = RegistrationStatus.WAITLISTED, rules.queue_time(now, last)
    db.execute(
        _INSERT,
        {
            "session_id": session_id,
            "user_id": user_id,
            "status": status,
            "queued_at": queued_at,
            "updated_at": now,
        },
    )
    return status, waiting


def _register_again(
    db: DbSession, session_id: int, user_id: int, now: datetime
) -> RegistrationResult:
    """The person has a row: their current state if it is active, else (cancelled) a seat or
    the back of the queue again. Under the session's lock, read afresh."""
    session = db.execute(_LOCKED, {"session_id": session_id}).one()
    existing = _place(db, session_id, user_id)
    if existing is None:  # rows are not deleted while their session exists
        db.rollback()
        raise LookupError("registration vanished")
    if existing.status in rules.ACTIVE_STATUSES:
        position = None
        if existing.status == RegistrationStatus.WAITLISTED:
            position = _rank(db, session_id, existing.queued_at, existing.id)
        db.commit()
        return RegistrationResult(existing.status, position, created=False)
    if _seat_free(session) and _take_seat(db, session_id):
        status, queued_at = RegistrationStatus.CONFIRMED, now
    else:
        _, last = _queue(db, session_id)
        status, queued_at = RegistrationStatus.WAITLISTED, rules.queue_time(now, last)
    return _requeue(db, session_id, existing.id, user_id, status, queued_at, now)


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

    Refused (`CancellationRefused`) once the session has ended: nobody is moved from the
    waitlist into, or mailed about, a session that is over (`rules.cancellation_refusal`).
    Returns False when there was nothing to cancel (already cancelled).
    """
    refusal = rules.cancellation_refusal(registration.session.ends_at, now)
    if refusal is not None:
        db.rollback()
        raise CancellationRefused(refusal.code, refusal.message)
    return _give_up(db, registration, now, hand_on=True)


def release_place(db: DbSession, registration: Registration, now: datetime) -> bool:
    """Give up a place whatever the session's phase, for an account being deleted (privacy
    first): its seat is freed, but handed to the waitlist only while the session has not
    ended, the rule `cancel_registration` keeps, so no one is promoted into, or mailed
    about, a session that is over. False when there was nothing to give up."""
    hand_on = rules.cancellation_refusal(registration.session.ends_at, now) is None
    return _give_up(db, registration, now, hand_on=hand_on)


def _give_up(db: DbSession, registration: Registration, now: datetime, *, hand_on: bool) -> bool:
    """Cancel the registration under the session's lock and free its seat if it held one;
    with `hand_on`, the seats free go to the waitlist (`fill_free_seats`), else the change is
    only committed. A cancelled session hands on nothing either: a place in it would be
    news of nothing; if it comes back on the programme, its free seats are filled then
    (`receivers.fill_seats_where_capacity_grew`)."""
    festival_session = registration.session
    hand_on = hand_on and not festival_session.cancelled
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
    if hand_on:
        fill_free_seats(db, festival_session, now)
    else:
        db.commit()
    db.refresh(festival_session)
    return True
