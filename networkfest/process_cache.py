"""Per-process caches of facts that rarely change, dropped in every process the moment they do.

A join asks the same questions thousands of times a minute whose answers change a few times a
festival: what a room's session is (its festival, hosts and run sheet, until the programme is
published again), who a personal token belongs to (until it is revoked). Each process keeps
those answers here, in one `ProcessCache` per name and per app (tests run several apps in one
process), and drops them when the slice that owns the facts says they changed:
`forget(name, label)` drops every entry carrying `label` in this process at once and, when a
message queue is configured, in every other process through it
(`message_queue.RedisQueue.forget`); one process needs nothing else. Facts that change with
a transaction are forgotten when it commits (`forget_on_commit`), or whenever the ORM writes a
row of the models they come from (`forget_when_written`).

Infrastructure: this module knows no slice. A slice names its cache, labels its entries (a
festival, a person, a token) and says when to forget them.

A reader that loaded a fact while it was being changed must not store it after the change was
announced: `ticket()` before the read, `put(..., ticket=...)` after, and the entry is kept only
if nothing was forgotten in between. An optional lifetime bounds how long an entry is trusted
at all (seconds, read from an injectable timer: monotonic, or the app's clock).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached, object_session, scoped_session

from networkfest import context
from networkfest.extensions import socketio
from networkfest.message_queue import RedisQueue
from networkfest.types import DbSession

_EXTENSION = "networkfest.process_caches"
# How long `read_through` trusts a fact that a process may not be told has changed: the CLI
# publishing beside a one-process server has no message queue to tell the server through.
UNTOLD_S = 1.0
T = TypeVar("T")
M = TypeVar("M")
# A bound, so a flood of distinct keys (made-up tokens are never stored, but rooms are many)
# cannot grow a process without limit: the least recently used entry goes first.
DEFAULT_SIZE = 10_000
_setup_lock = threading.Lock()
# How long a caller that missed an entry waits for another caller's read of it before
# reading for itself (that read may be waiting for a pooled connection the waiters hold), and
# how long the others leave an entry past its lifetime to the caller that took it on.
READ_WAIT_S = 1.0


@dataclass(frozen=True)
class _Entry:
    value: Any
    labels: frozenset[str]
    expires: float | None


class ProcessCache:
    """One named cache: entries with labels and an optional lifetime, bounded in size."""

    def __init__(
        self,
        name: str,
        *,
        lifetime_s: float | None = None,
        size: int = DEFAULT_SIZE,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.lifetime_s = lifetime_s
        self.size = size
        self.timer = timer
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        # Raised by every forget: a read that began before it must not be stored after it.
        self._epoch = 0
        # The keys being read for the cache now: the reader's thread (greenlet) and an event
        # set when it is done.
        self._reading: dict[Hashable, tuple[int, threading.Event]] = {}
        # The entries past their lifetime that a caller has taken on to read afresh: its
        # thread (greenlet), and until when (monotonic) the others leave it to that caller.
        self._refreshing: dict[Hashable, tuple[int, float]] = {}

    def get(self, key: Hashable) -> Any | None:
        """The value kept under `key`. Once its lifetime is over, the first caller to ask is
        told None and so takes on reading it afresh; until that caller keeps the new value
        (or for `READ_WAIT_S`, should it never), the others get the last one. A storm that
        outlives an entry neither waits for that read nor reads it too, even while the caller
        who took it on is still on its way (a join that tried from memory first), and what
        no one was told of is seen within the lifetime, `READ_WAIT_S` and one read. A
        forgotten entry is gone, never served."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires is not None and self.timer() >= entry.expires:
                me, now = threading.get_ident(), time.monotonic()
                taken = self._refreshing.get(key)
                if taken is not None and taken[0] != me and now < taken[1]:
                    return entry.value
                self._refreshing[key] = (me, now + READ_WAIT_S)
                return None
            self._entries.move_to_end(key)
            return entry.value

    def ticket(self) -> int:
        """Take one before reading what will be stored; `put` refuses it after a forget."""
        with self._lock:
            return self._epoch

    def put(self, key: Hashable, value: Any, *, labels: Iterable[str] = (), ticket: int) -> bool:
        """Keep `value` unless something was forgotten since `ticket`; whether it was kept."""
        expires = None if self.lifetime_s is None else self.timer() + self.lifetime_s
        with self._lock:
            if ticket != self._epoch:
                return False
            self._entries[key] = _Entry(value, frozenset(labels), expires)
            self._refreshing.pop(key, None)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return True

    def kept_or_read(
        self,
        key: Hashable,
        read: Callable[[], Any],
        *,
        keep: Callable[[Any], Any] = lambda value: value,
        labels: Iterable[str] = (),
    ) -> tuple[Any, Any]:
        """(what is kept under `key`, None), or on a miss (None, what `read()` returned), what
        `keep` makes of it kept unless something was forgotten meanwhile; a None is never
        kept. One caller at a time reads a missing key (`reading`)."""
        found = self.get(key)
        if found is not None:
            return found, None
        with self.reading(key) as reads:
            found = None if reads else self.get(key)
            if found is not None:
                return found, None
            ticket = self.ticket()
            loaded = read()
            if loaded is not None:
                self.put(key, keep(loaded), labels=labels, ticket=ticket)
            return None, loaded

    @contextmanager
    def reading(self, key: Hashable) -> Iterator[bool]:
        """Whether the caller, having missed `key`, should read it: the first to miss does;
        one who misses it while that read goes on waits for it (up to `READ_WAIT_S`) and is
        told False, to look again, so a storm that finds a copy gone (a process just started,
        a programme just published) reads it once rather than once per caller. A reader that
        asks again inside its own read reads."""
        me = threading.get_ident()
        with self._lock:
            found = self._reading.get(key)
            if found is None:
                done = threading.Event()
                self._reading[key] = (me, done)
        if found is not None:
            reader, other_done = found
            yield reader == me or not _waited_for(other_done)
            return
        try:
            yield True
        finally:
            with self._lock:
                del self._reading[key]
            done.set()

    def forget_here(self, label: str | None = None) -> None:
        """Drop the entries carrying `label` (every entry for None) in this process only."""
        with self._lock:
            self._epoch += 1
            if label is None:
                self._entries.clear()
                self._refreshing.clear()
                return
            for key in [k for k, e in self._entries.items() if label in e.labels]:
                del self._entries[key]
                self._refreshing.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _waited_for(done: threading.Event) -> bool:
    """Whether another caller's read of an entry ended within `READ_WAIT_S`."""
    return done.wait(READ_WAIT_S)


class Caches:
    """The named caches of one app in this process."""

    def __init__(self) -> None:
        self._caches: dict[str, ProcessCache] = {}
        self._lock = threading.Lock()

    def named(self, name: str, make: Callable[[], ProcessCache]) -> ProcessCache:
        """Looked up without the lock once made (a cache is never removed): a join asks for
        a dozen, and under gevent taking the lock cost 2.6% of a join storm's samples."""
        cache = self._caches.get(name)
        if cache is not None:
            return cache
        with self._lock:
            cache = self._caches.get(name)
            if cache is None:
                cache = self._caches[name] = make()
            return cache

    def forget_here(self, name: str, label: str | None) -> None:
        with self._lock:
            cache = self._caches.get(name)
        if cache is not None:
            cache.forget_here(label)


def caches_of(app: Flask) -> Caches:
    """The app's caches, made on first use; its message queue's listener is pointed at them
    then, since another process's `forget` arrives there (before that, nothing was cached
    here to forget)."""
    caches: Caches | None = app.extensions.get(_EXTENSION)
    if caches is not None:
        return caches
    with _setup_lock:
        caches = app.extensions.get(_EXTENSION)
        if caches is None:
            caches = app.extensions[_EXTENSION] = Caches()
            manager = _queue()
            if manager is not None:
                manager.forget_heard = caches.forget_here
    return caches


def forget_on_commit(db_session: DbSession, name: str, label: str | None = None) -> None:
    """`forget(name, label)` once `db_session`'s transaction commits, not before: until then
    a reader would load the old facts again and keep them. A rollback forgets nothing."""
    pending: set[tuple[str, str | None]] = db_session.info.setdefault(_PENDING, set())
    pending.add((name, label))


_PENDING = "networkfest.forget_on_commit"
_COMMITTED = "networkfest.forget_committed"


def changed_here(db_session: DbSession, name: str) -> bool:
    """Whether `db_session`'s open transaction changed facts of `name`: until it commits, the
    cache holds what it changed and it must read them itself."""
    if isinstance(db_session, scoped_session) and not db_session.registry.has():
        return False  # no session yet in this request: nothing changed, and none is made
    pending: set[tuple[str, str | None]] = db_session.info.get(_PENDING, set())
    return any(pending_name == name for pending_name, _label in pending)


Write = Literal["insert", "update", "delete"]
EVERY_WRITE: tuple[Write, ...] = ("insert", "update", "delete")


def forget_when_written(
    name: str, models: Iterable[type], writes: Iterable[Write] = EVERY_WRITE
) -> None:
    """Forget all of `name` after any commit that made one of `writes` to a row of `models`:
    a flushed object, or a statement whose caller says so (`statement_wrote`). A cache of
    whether rows exist watches inserts and deletes alone, and so is not forgotten by a storm
    of updates. Whatever is missed is read again after `UNTOLD_S` all the same."""
    kinds = tuple(writes)
    for model in models:
        for kind in kinds:
            names = _NAMES_WRITTEN.get((model, kind))
            if names is None:
                names = _NAMES_WRITTEN[(model, kind)] = set()
                event.listen(model, f"after_{kind}", _row_written(kind))
            names.add(name)


# The caches to forget when a row of a model is written, by model and kind of write.
_NAMES_WRITTEN: dict[tuple[type, str], set[str]] = {}


def _row_written(kind: str) -> Callable[[Any, Any, object], None]:
    def written(mapper: Any, _connection: Any, target: object) -> None:
        db_session = object_session(target)
        if db_session is not None:
            for name in _NAMES_WRITTEN.get((mapper.class_, kind), ()):
                forget_on_commit(db_session, name)

    return written


def statement_wrote(db_session: DbSession, model: type, write: Write) -> None:
    """A statement (an UPDATE, INSERT or DELETE, or one in a CTE) made `write` to rows of
    `model`: what `forget_when_written` watches for it is forgotten when the transaction
    commits. Listening to every statement instead would cost every query of the live path
    the ORM's per-statement event state."""
    for name in _NAMES_WRITTEN.get((model, write), ()):
        forget_on_commit(db_session, name)


@event.listens_for(Session, "after_commit")
def _committed(db_session: Session) -> None:
    if _PENDING in db_session.info:
        db_session.info[_COMMITTED] = db_session.info.pop(_PENDING)


@event.listens_for(Session, "after_transaction_end")
def _forget_committed(db_session: Session, _transaction: Any) -> None:
    """Once the commit has given its connection back: telling the other processes is a
    round trip to the queue, and a storm of votes must not hold the pool's connections for
    it. The handler's emits come after the commit returns, so after the forget still."""
    for name, label in db_session.info.pop(_COMMITTED, ()):
        forget(name, label)


@event.listens_for(Session, "after_rollback")
def _nothing_committed(db_session: Session) -> None:
    db_session.info.pop(_PENDING, None)


def _queue() -> RedisQueue | None:
    """The message queue between processes, when one is configured."""
    server = socketio.server
    manager = server.manager if server is not None else None
    return manager if isinstance(manager, RedisQueue) else None


def cache(
    name: str, *, lifetime_s: float | None = None, timer: Callable[[], float] = time.monotonic
) -> ProcessCache:
    """The current app's cache of that name, made on first use."""
    return caches_of(current_app).named(
        name, lambda: ProcessCache(name, lifetime_s=lifetime_s, timer=timer)
    )


def app_clock() -> float:
    """The app's clock in seconds: tests that inject one decide when an entry grows old."""
    return context.now().timestamp()


def read_through(db_session: DbSession, name: str, key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, kept in the cache `name` under `key` until this process is told its facts
    changed (`forget_when_written`) or for `UNTOLD_S` on the app's clock. A transaction that
    changed them reads them itself until it commits; a None is never kept."""
    if changed_here(db_session, name):
        return read()
    found, loaded = cache(name, lifetime_s=UNTOLD_S, timer=app_clock).kept_or_read(key, read)
    return found if found is not None else loaded


def detached_copy(loaded: M) -> M:
    """`loaded`'s state copied into an object of no session: no query, and nothing of the
    caller's session (which goes on changing it) is shared. A row with no relationship
    loaded (a person) is copied column by column, as the ORM loads a row, at a third of what
    a merge costs (a join storm keeps a copy of each person: docs/benchmarks.md, "Tokens read
    together on SQLite"); a graph (a room with its festival and hosts) is merged."""
    state = inspect(loaded)
    mapper = state.mapper
    if any(relationship.key in state.dict for relationship in mapper.relationships):
        return _merged_copy(loaded)
    copy: M = mapper.class_manager.new_instance()
    copy.__dict__.update(
        {
            column.key: state.dict[column.key]
            for column in mapper.column_attrs
            if column.key in state.dict
        }
    )
    make_transient_to_detached(copy)
    return copy


def _merged_copy(loaded: M) -> M:
    """Copied into a session bound to nothing, then let go."""
    scratch = Session()
    try:
        copy: M = scratch.merge(loaded, load=False)
    finally:
        scratch.close()
    return copy


def merged_through(
    db_session: DbSession,
    kept: ProcessCache,
    key: Hashable,
    read: Callable[[], M | None],
    *,
    keep: Callable[[M], M] = detached_copy,
    labels: Iterable[str] = (),
) -> M | None:
    """An ORM object from this process's copy, put into `db_session` without a query
    (`merge(load=False)`); the copy itself is never handed out. On a miss `read()` loads it
    and what `keep` makes of it is kept, unless something was forgotten meanwhile."""
    found, loaded = kept.kept_or_read(key, read, keep=keep, labels=labels)
    if found is not None:
        return db_session.merge(found, load=False)
    return loaded


def any_row(name: str, column: Any) -> Callable[[DbSession, Hashable], bool]:
    """`exists(db, key)`: whether a row of `column`'s model has `column` equal to `key`, kept
    under `name` (`read_through`). Only an insert or a delete of such a row can change the
    answer, so only those forget it: a storm of updates (votes, answers) does not."""
    statement = select(column).where(column == bindparam("key")).limit(1)
    forget_when_written(name, (column.class_,), ("insert", "delete"))

    def exists(db_session: DbSession, key: Hashable) -> bool:
        return read_through(
            db_session,
            name,
            key,
            lambda: db_session.scalar(statement, {"key": key}) is not None,
        )

    return exists


def forget(name: str, label: str | None = None) -> None:
    """Drop what carries `label` in the cache `name` here at once, then in every other
    process through the message queue when there is one (from a request, a live event, the
    CLI or a background task alike; outside an app there is nothing cached here)."""
    if has_app_context():
        caches_of(current_app).forget_here(name, label)
    manager = _queue()
    if manager is not None:
        manager.forget(name, label)
