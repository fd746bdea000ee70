"""The session clock's units of work: the clock state, agenda moves, announcements, punctuality.

Everything here takes the instant as a value; handlers and the ticker pass `now` in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from networkfest import process_cache
from networkfest.audit import services as audit
from networkfest.audit.rules import AuditAction
from networkfest.clock import to_epoch_ms
from networkfest.programme.models import Festival, FestivalSession
from networkfest.programme.rules import SessionStatus
from networkfest.realtime.protocol import ProtocolError
from networkfest.timing import evidence, rules
from networkfest.timing.models import AgendaMove, Announcement
from networkfest.timing.rules import Phase
from networkfest.types import DbSession

log = logging.getLogger(__name__)

# A process that comes back after the end still says so for this long; after that the
# clients' own countdowns have long shown the end and an announcement would be noise.
ENDED_GRACE = timedelta(minutes=1)
# How far ahead the ticker looks for the next thing due; it wakes at least this often anyway.
LOOKAHEAD = timedelta(hours=1)

Emit = Callable[[int, dict[str, Any]], None]


def slot_of(festival_session: FestivalSession) -> rules.Slot:
    festival = festival_session.festival
    return rules.Slot(
        festival_session.starts_at,
        festival_session.ends_at,
        rules.ClockSettings.from_minutes(festival.lobby_minutes, festival.warning_minutes),
    )


def agenda_of(festival_session: FestivalSession) -> list[rules.PlannedItem]:
    return [rules.PlannedItem(item.title, item.minutes) for item in festival_session.agenda_items]


# Built once: every join and clock event reads the run sheet's moves.
_MOVES = (
    select(AgendaMove.item_index, AgendaMove.started_at)
    .where(AgendaMove.session_id == bindparam("session_id"))
    .order_by(AgendaMove.item_index)
)


def moves_of(db: DbSession, festival_session: FestivalSession) -> list[rules.Move]:
    rows = db.execute(_MOVES, {"session_id": festival_session.id})
    return [rules.Move(item_index, started_at) for item_index, started_at in rows]


MOVES = "timing.moves"


def kept_moves(db: DbSession, festival_session: FestivalSession) -> list[rules.Move]:
    """`moves_of` from this process's copy, read once per move (`process_cache`): for a
    join, whose state any later move's emit brings up to date. What decides or announces
    (the ticker, the hosts' moves) reads `moves_of`."""
    kept = process_cache.read_through(
        db, MOVES, festival_session.id, lambda: tuple(moves_of(db, festival_session))
    )
    return list(kept)


process_cache.forget_when_written(MOVES, (AgendaMove,))


def session_phase(festival_session: FestivalSession, now: datetime) -> str:
    """`scheduled`, `lobby`, `live` or `ended` at `now`: what every other domain asks."""
    return slot_of(festival_session).phase(now)


def phase_or_cancelled(festival_session: FestivalSession, now: datetime) -> str:
    """The phase at `now`, or `cancelled` for a cancelled session, whose slot still says
    `live` at its old time: what the room's actions (asking, voting, polls) check."""
    if festival_session.cancelled:
        return SessionStatus.CANCELLED
    return session_phase(festival_session, now)


def require_live(festival_session: FestivalSession, now: datetime) -> None:
    """The hard stop for live actions (ask, vote, agenda_next): refused outside `live`."""
    phase = session_phase(festival_session, now)
    if phase == Phase.ENDED:
        raise ProtocolError("not_live", "This session has ended: the scheduled end is final.")
    if phase != Phase.LIVE:
        raise ProtocolError("not_live", "This session has not started yet.")


def run_sheet(db: DbSession, festival_session: FestivalSession, now: datetime) -> rules.RunSheet:
    return rules.run_sheet(
        slot_of(festival_session), agenda_of(festival_session), moves_of(db, festival_session), now
    )


def clock_state(
    db: DbSession,
    festival_session: FestivalSession,
    now: datetime,
    moves: list[rules.Move] | None = None,
) -> dict[str, Any]:
    """The `clock` object of the live protocol (docs/architecture.md), instants in epoch ms;
    `moves` as read already (`kept_moves`), else from the database.

    `item` is the current agenda item while live (`ends_at` is the end of its timebox
    counted from its actual start, so a late item shows its overrun; for the last item, the
    scheduled end: only the hard stop ends it, as the punctuality record counts it), else
    null.
    `warning` is the warning in force: the latest `warning:<n>` due, or an
    `item_end:<i>` while item i runs over, as `{"kind", "at"}`; null outside `live`.
    `behind_ms` (extra, for hosts) is how much later than planned the run sheet
    would finish keeping every timebox; negative when ahead.
    """
    slot = slot_of(festival_session)
    agenda = agenda_of(festival_session)
    if moves is None:
        moves = moves_of(db, festival_session)
    sheet = rules.run_sheet(slot, agenda, moves, now)
    current = sheet.current
    warning = rules.warning_at(slot, agenda, moves, now, sheet)
    item = None
    if current is not None and current.actual_start is not None:
        item = {
            "index": current.index,
            "title": current.title,
            "starts_at": to_epoch_ms(current.actual_start),
            "ends_at": to_epoch_ms(
                slot.ends_at
                if current.index == len(agenda) - 1
                else current.actual_start + current.timebox
            ),
            "count": len(agenda),
        }
    return {
        "session": festival_session.slug,
        "phase": slot.phase(now),
        "server_now": to_epoch_ms(now),
        "starts_at": to_epoch_ms(slot.starts_at),
        "ends_at": to_epoch_ms(slot.ends_at),
        "item": item,
        "warning": None
        if warning is None
        else {"kind": warning.kind, "at": to_epoch_ms(warning.due_at)},
        "behind_ms": sheet.behind // timedelta(milliseconds=1),
    }


def agenda_next(
    db: DbSession, festival_session: FestivalSession, user_id: int | None, now: datetime
) -> dict[str, Any]:
    """Move the run sheet to the item after the current one; returns the new clock state.

    Hosts only (the handler authorises). Refused outside `live` and past the last item.
    The unique (session, item index) makes two hosts clicking at once move only once:
    the loser's insert fails and it answers with the state the winner made.
    """
    require_live(festival_session, now)
    sheet = run_sheet(db, festival_session, now)
    current = sheet.current
    target = 0 if current is None else current.index + 1
    if target >= len(sheet.items):
        raise ProtocolError("invalid", "This is the last item of the run sheet.")
    try:
        with db.begin_nested():
            db.add(
                AgendaMove(
                    session_id=festival_session.id,
                    item_index=target,
                    started_at=now,
                    by_user_id=user_id,
                )
            )
    except IntegrityError:
        log.info("agenda move %s/%s already made", festival_session.id, target)
    else:
        audit.record(
            db,
            actor_id=user_id,
            action=AuditAction.AGENDA_NEXT,
            target=festival_session.slug,
            now=now,
            detail={"item": target, "title": sheet.items[target].title},
        )
    db.commit()
    return clock_state(db, festival_session, now)


def _window_sessions(db: DbSession, now: datetime, ahead: timedelta) -> list[FestivalSession]:
    """Scheduled sessions whose lobby may open within `ahead` and that ended at most a grace ago."""
    max_lobby = db.scalar(select(func.max(Festival.lobby_minutes))) or 0
    return list(
        db.scalars(
            select(FestivalSession)
            .where(
                FestivalSession.status == SessionStatus.SCHEDULED,
                FestivalSession.ends_at >= now - ENDED_GRACE,
                FestivalSession.starts_at <= now + ahead + timedelta(minutes=max_lobby),
            )
            .order_by(FestivalSession.starts_at, FestivalSession.id)
            .options(
                selectinload(FestivalSession.agenda_items),
                selectinload(FestivalSession.festival),
            )
        )
    )


def _schedule(db: DbSession, festival_session: FestivalSession) -> list[rules.ClockMoment]:
    return rules.announcements(
        slot_of(festival_session), agenda_of(festival_session), moves_of(db, festival_session)
    )


@dataclass(frozen=True)
class Announced:
    """What this process won and emitted."""

    session_id: int
    kind: str
    due_at: datetime


def announce_due(db: DbSession, now: datetime, emit: Emit) -> list[Announced]:
    """Claim and emit what is due at `now`, exactly once across every process and restart.

    Per session in its window (lobby open … end + a minute's grace), only the latest
    announcement due is claimed: each emit carries the whole clock state, so the
    latest brings the room up to date, and a process starting late announces what is
    due and unannounced without replaying stale warnings. The claim is an INSERT under
    the unique (session, kind, due_at): the process whose insert succeeds emits; the
    others hit the constraint (in a SAVEPOINT, so the other claims go on).
    """
    won: list[Announced] = []
    for festival_session in _window_sessions(db, now, timedelta(0)):
        due = rules.latest_due(_schedule(db, festival_session), now)
        if due is None or _claimed(db, festival_session.id, due):
            continue
        try:
            with db.begin_nested():
                db.add(
                    Announcement(
                        session_id=festival_session.id,
                        kind=due.kind,
                        due_at=due.due_at,
                        announced_at=now,
                    )
                )
        except IntegrityError:
            continue
        state = clock_state(db, festival_session, now)
        # Commit before the emit: no transaction (nor SQLite's write lock) is held over I/O.
        db.commit()
        won.append(Announced(festival_session.id, due.kind, due.due_at))
        emit(festival_session.id, state)
    db.commit()
    return won


def _claimed(db: DbSession, session_id: int, due: rules.ClockMoment) -> bool:
    """A cheap read first, so a tick with nothing new writes nothing."""
    return (
        db.scalar(
            select(Announcement.id).where(
                Announcement.session_id == session_id,
                Announcement.kind == due.kind,
                Announcement.due_at == due.due_at,
            )
        )
        is not None
    )


def next_due_instant(db: DbSession, now: datetime) -> datetime | None:
    """The next instant after `now` when any session has something to announce (an hour ahead)."""
    instants = [
        instant
        for festival_session in _window_sessions(db, now, LOOKAHEAD)
        if (instant := rules.next_due(_schedule(db, festival_session), now)) is not None
    ]
    db.commit()
    return min(instants) if instants else None


@dataclass(frozen=True)
class PunctualityRow:
    """One line of the organisers' punctuality table; figures are None without a verdict."""

    session: FestivalSession
    report: rules.Punctuality

    @property
    def verdict(self) -> rules.Verdict:
        return self.report.verdict

    @property
    def ended(self) -> bool:
        return self.report.verdict != rules.Verdict.NOT_YET

    @property
    def started_late_s(self) -> int | None:
        return self.report.started_late_s

    @property
    def overran_items(self) -> int | None:
        return self.report.overran_items

    @property
    def ended_on_time(self) -> bool | None:
        return self.report.ended_on_time


def _record(
    festival_session: FestivalSession,
    moves: list[rules.Move],
    stays: list[rules.Stay],
    now: datetime,
) -> rules.Punctuality:
    slot = slot_of(festival_session)
    return rules.punctuality(
        slot,
        agenda_of(festival_session),
        moves,
        host_arrived_at=rules.host_arrival(slot, stays),
        at=now,
    )


def session_punctuality(
    db: DbSession, festival_session: FestivalSession, now: datetime
) -> rules.Punctuality:
    """How one session kept to time, as far as the evidence at `now` shows (none before its end)."""
    stays = evidence.host_stays(db, [festival_session.id]).get(festival_session.id, [])
    return _record(festival_session, moves_of(db, festival_session), stays, now)


def punctuality_report(db: DbSession, festival: Festival, now: datetime) -> list[PunctualityRow]:
    """Every scheduled session of the festival with its punctuality at `now`, in start order.

    The one source of the figures: the punctuality page, the dashboard and its CSV all ask
    this, so they cannot disagree. Sessions still to end have no verdict.
    """
    sessions = db.scalars(
        select(FestivalSession)
        .where(
            FestivalSession.festival_id == festival.id,
            FestivalSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(FestivalSession.starts_at, FestivalSession.slug)
        .options(selectinload(FestivalSession.agenda_items), selectinload(FestivalSession.festival))
    ).all()
    ids = [s.id for s in sessions]
    moves: dict[int, list[rules.Move]] = {}
    for row in db.scalars(select(AgendaMove).where(AgendaMove.session_id.in_(ids))):
        moves.setdefault(row.session_id, []).append(rules.Move(row.item_index, row.started_at))
    stays = evidence.host_stays(db, ids)
    return [
        PunctualityRow(session=s, report=_record(s, moves.get(s.id, []), stays.get(s.id, []), now))
        for s in sessions
    ]
