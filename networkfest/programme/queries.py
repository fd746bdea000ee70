"""Read-side lookups of the programme shared by pages, feeds, the API and the live room."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from networkfest import process_cache, signals
from networkfest.accounts.models import User
from networkfest.programme.models import Festival, FestivalSession, ScheduleVersion
from networkfest.types import DbSession


def current_festival(db: DbSession) -> Festival | None:
    """The festival this site publishes: the one most recently published."""
    return db.scalar(select(Festival).order_by(Festival.id.desc()).limit(1))


# One round trip: the festival is the most recently published one (`current_festival`).
# Built once, with the slug as a parameter: composing it costs more than running it.
_SESSION_BY_SLUG = select(FestivalSession).where(
    FestivalSession.festival_id
    == select(Festival.id).order_by(Festival.id.desc()).limit(1).scalar_subquery(),
    FestivalSession.slug == bindparam("slug"),
)


def session_by_slug(db: DbSession, slug: str) -> FestivalSession | None:
    """The session with its hosts, run sheet and theme loaded, for pages and the live room."""
    if not _valid_slug(slug):
        return None
    return db.scalar(
        _SESSION_BY_SLUG.options(
            selectinload(FestivalSession.hosts),
            selectinload(FestivalSession.agenda_items),
            selectinload(FestivalSession.theme),
        ),
        {"slug": slug},
    )


def session_row_by_slug(db: DbSession, slug: str) -> FestivalSession | None:
    """The session row alone, in one statement: for callers such as registration that read
    only its own columns (hosts, agenda and theme would be three more queries)."""
    if not _valid_slug(slug):
        return None
    return db.scalar(_SESSION_BY_SLUG, {"slug": slug})


def room_by_slug(db: DbSession, slug: str, *, run_sheet: bool = True) -> FestivalSession | None:
    """The session as the live room's events read it: its festival (the clock's settings)
    joined, its hosts and, when the clock is needed, its run sheet. Each round trip is a
    wait behind every socket of the room on PostgreSQL: two or three here instead of five."""
    if not _valid_slug(slug):
        return None
    return db.scalar(_ROOM_WITH_RUN_SHEET if run_sheet else _ROOM, {"slug": slug})


_ROOM = _SESSION_BY_SLUG.options(
    joinedload(FestivalSession.festival), selectinload(FestivalSession.hosts)
)
_ROOM_WITH_RUN_SHEET = _ROOM.options(selectinload(FestivalSession.agenda_items))

# The published facts of each room, per process (`process_cache`): the session row, its
# festival (the clock's settings), its run sheet and its hosts' ids. A host is cached as an
# id alone: their name, roles and flags are read fresh wherever they are asked for.
ROOMS = "programme.rooms"
_PUBLISHED_ROOM = _SESSION_BY_SLUG.options(
    joinedload(FestivalSession.festival),
    selectinload(FestivalSession.hosts).load_only(User.id),
    selectinload(FestivalSession.agenda_items),
)


def published_room(db: DbSession, slug: str) -> FestivalSession | None:
    """The session as a `join` reads it (festival, run sheet, hosts), from this process's
    copy of what was published; read from the database once per publication.

    The copy is dropped in every process when a new version is published
    (`programme_published`, through the message queue), so the festival, the times, the run
    sheet and who hosts are those of the current version; a process no queue tells (the CLI
    publishing beside a one-process server) reads it again within `process_cache.UNTOLD_S`.
    What changes between publications (the seats taken, `confirmed_count`) may be stale
    here: the join reads the rest, a registration only the status and times.
    The session returned belongs to `db` like any loaded one. The copy itself goes only to
    callers that read what it holds and write nothing (`room_to_read`), so no caller's
    session ever shares it.
    """
    if not _valid_slug(slug):
        return None
    room: FestivalSession | None = process_cache.merged_through(
        db, _rooms(), slug, lambda: db.scalar(_PUBLISHED_ROOM, {"slug": slug}), keep=_kept_room
    )
    return room


def room_to_read(db: DbSession, slug: str) -> FestivalSession | None:
    """`published_room` for a caller that only reads what it holds (the session's columns,
    its festival, run sheet and hosts' ids) and writes nothing: this process's copy itself,
    shared by every such caller and put into no session (on a miss, the room as
    `published_room` reads it into `db` while the copy is made). Merging the room's graph
    into the caller's session cost a join 180 µs and a registration 80 µs; this costs 7 µs
    (docs/benchmarks.md, "Registration from plain facts"). Anything else the copy is asked
    for raises `DetachedInstanceError` rather than being read."""
    if not _valid_slug(slug):
        return None
    kept: FestivalSession | None = _rooms().get(slug)
    return kept if kept is not None else published_room(db, slug)


def _rooms() -> process_cache.ProcessCache:
    return process_cache.cache(
        ROOMS, lifetime_s=process_cache.UNTOLD_S, timer=process_cache.app_clock
    )


def _kept_room(room: FestivalSession) -> FestivalSession:
    """The loaded graph, detached (`process_cache.detached_copy`), its hosts ids alone,
    whatever the caller's session had loaded of them: merged into a session, a host's other
    attributes load from the database when asked for, never from this copy."""
    copy = process_cache.detached_copy(room)
    hosts = []
    for host in copy.hosts:
        stub = User(id=host.id)
        make_transient_to_detached(stub)
        hosts.append(stub)
    set_committed_value(copy, "hosts", hosts)
    return copy


def _forget_rooms(sender: str, **kwargs: Any) -> None:
    """A new version: every room's published facts may have changed, in every process."""
    process_cache.forget(ROOMS)


def connect() -> None:
    """At start-up, in every process that can publish (the servers and the CLI)."""
    signals.programme_published.connect(_forget_rooms)


def _valid_slug(slug: object) -> bool:
    return isinstance(slug, str) and len(slug) <= 80


def festival_sessions(db: DbSession, festival: Festival) -> list[FestivalSession]:
    """Every session of the festival, cancelled included, in start order."""
    return list(
        db.scalars(
            select(FestivalSession)
            .where(FestivalSession.festival_id == festival.id)
            .order_by(FestivalSession.starts_at, FestivalSession.slug)
            .options(
                selectinload(FestivalSession.hosts),
                selectinload(FestivalSession.agenda_items),
                selectinload(FestivalSession.theme),
            )
        )
    )


def versions(db: DbSession, festival: Festival) -> list[ScheduleVersion]:
    """The publication history, newest first."""
    return list(
        db.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.festival_id == festival.id)
            .order_by(ScheduleVersion.number.desc())
        )
    )
