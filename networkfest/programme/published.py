"""The published programme as every visitor's page reads it, kept in each process.

At 9:00 on the first morning everyone opens the programme. Each visitor's page (the
programme, a session's page, the front page, the API's list) is the same bytes until the
published version, a seat count, a session's times or a host's name changes, and is kept
under those (`pagecache`). Reading them took three or four queries per request, more than
serving the kept page itself: this module reads them once per change instead.

The copy lives in a `process_cache` cache and is dropped, once the transaction that changed
them commits, by a flushed change to the festival, its themes or sessions (a publication), a
seat taken or freed and the demo's reset (their statements say so:
`process_cache.statement_wrote`) or a person's new name; in every other process through the
message queue. A process that no queue tells (the CLI publishing beside
a one-process server) sees the change within `process_cache.UNTOLD_S`, on the app's clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select

from networkfest import process_cache
from networkfest.accounts.models import User
from networkfest.accounts.names import forget_when_renamed
from networkfest.programme.models import Festival, FestivalSession, Theme, session_hosts
from networkfest.programme.rules import SessionStatus
from networkfest.types import DbSession

NAME = "programme.published"
T = TypeVar("T")
_KEY = "current"


@dataclass(frozen=True)
class PublishedSession:
    """What a visitor's page of one session depends on, beyond the published version."""

    id: int
    slug: str
    version: int
    starts_at: datetime
    ends_at: datetime
    status: str
    confirmed_count: int
    hosts: tuple[str, ...]

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


@dataclass(frozen=True)
class PublishedProgramme:
    """The festival most recently published, as its public pages depend on it."""

    festival_id: int
    version: int
    lobby_minutes: int
    warning_minutes: tuple[int, ...]
    themes: frozenset[str]
    sessions: tuple[PublishedSession, ...]
    # Names all of the above: equal in every process that read the same rows.
    fingerprint: str = field(init=False)
    _by_slug: dict[str, PublishedSession] = field(init=False, repr=False, compare=False)
    _derived: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = [
            self.festival_id,
            self.version,
            self.lobby_minutes,
            self.warning_minutes,
            sorted(self.themes),
            self.sessions,
        ]
        digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
        object.__setattr__(self, "fingerprint", digest)
        object.__setattr__(self, "_by_slug", {fs.slug: fs for fs in self.sessions})
        object.__setattr__(self, "_derived", {})

    def session(self, slug: str) -> PublishedSession | None:
        return self._by_slug.get(slug)

    def derived(self, name: str, compute: Callable[[PublishedProgramme], T]) -> T:
        """What a slice above works out from this copy alone, once per copy (two requests
        at once may both work it out: the same answer)."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        value: T = self._derived[name]
        return value


def published_programme(db: DbSession) -> PublishedProgramme | None:
    """The current festival's published facts, read from the database once per change."""
    return process_cache.read_through(db, NAME, _KEY, lambda: _read(db))


def _read(db: DbSession) -> PublishedProgramme | None:
    festival = db.execute(
        select(Festival.id, Festival.version, Festival.lobby_minutes, Festival.warning_minutes)
        .order_by(Festival.id.desc())
        .limit(1)
    ).first()
    if festival is None:
        return None
    themes = db.scalars(select(Theme.slug).where(Theme.festival_id == festival.id))
    hosts: dict[int, list[str]] = {}
    for session_id, name in db.execute(
        select(session_hosts.c.session_id, User.name)
        .join(User, User.id == session_hosts.c.user_id)
        .join(FestivalSession, FestivalSession.id == session_hosts.c.session_id)
        .where(FestivalSession.festival_id == festival.id)
        .order_by(session_hosts.c.session_id, User.name)
    ):
        hosts.setdefault(session_id, []).append(name)
    rows = db.execute(
        select(
            FestivalSession.id,
            FestivalSession.slug,
            FestivalSession.version,
            FestivalSession.starts_at,
            FestivalSession.ends_at,
            FestivalSession.status,
            FestivalSession.confirmed_count,
        )
        .where(FestivalSession.festival_id == festival.id)
        .order_by(FestivalSession.id)
    )
    return PublishedProgramme(
        festival_id=festival.id,
        version=festival.version,
        lobby_minutes=festival.lobby_minutes,
        warning_minutes=tuple(festival.warning_minutes),
        themes=frozenset(themes),
        sessions=tuple(
            PublishedSession(
                id=row.id,
                slug=row.slug,
                version=row.version,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                status=row.status,
                confirmed_count=row.confirmed_count,
                hosts=tuple(hosts.get(row.id, ())),
            )
            for row in rows
        ),
    )


process_cache.forget_when_written(NAME, (Festival, Theme, FestivalSession))
forget_when_renamed(NAME)
