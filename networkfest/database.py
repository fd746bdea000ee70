"""Engine set-up: SQLite pragmas and write transactions that do not deadlock; how long a
caller waits for a pooled connection; and the rule for reporting a saturated pool.

On PostgreSQL every process has a pool of a few connections (docs/deploy.md). When they
are all taken, someone waiting on an answer (a live event, a request: `answering`) waits at
most the pool timeout (`NETWORKFEST_DATABASE_POOL_TIMEOUT`) and SQLAlchemy raises
`sqlalchemy.exc.TimeoutError`: the live event answers `busy` (`realtime/protocol.py`) and the
request 503 with `Retry-After` (`errors.py`), after rolling back; the client may try again.
Work nobody would try again (a disconnect's presence, the job runner, the coalescer's
settling) waits its turn for up to `BACKGROUND_WAIT_S` (`CallerPool`). In a storm that is
hundreds of refusals a second: `report_saturation` logs them once per interval per process,
with their number.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Engine, Executable, Integer, bindparam, event, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine.interfaces import Compiled
from sqlalchemy.exc import DBAPIError, DisconnectionError, UnboundExecutionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from networkfest.types import DbSession

log = logging.getLogger(__name__)

SATURATION_LOG_INTERVAL_S = 10.0
# What a refused caller is told (the live `busy` error, the 503 page), and how long to wait
# before trying again (HTTP `Retry-After`, seconds).
BUSY_MESSAGE = "The server is busy: please try again in a moment."
RETRY_AFTER_S = 2
# How long work that nobody would send again waits for a connection (SQLAlchemy's default).
BACKGROUND_WAIT_S = 30.0
# A pooled connection unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 5.0

_answering: ContextVar[bool] = ContextVar("networkfest_answering", default=False)


def start_answering() -> Token[bool]:
    """Someone waits on what follows (a live event, a request): it gets a pooled connection
    within the pool timeout or is refused. `stop_answering(token)` ends it."""
    return _answering.set(True)


def stop_answering(token: Token[bool]) -> None:
    _answering.reset(token)


@contextmanager
def answering() -> Iterator[None]:
    """`start_answering` for a block."""
    token = start_answering()
    try:
        yield
    finally:
        stop_answering(token)


def patience(engine: Engine) -> float | None:
    """How long a caller waits for the database, as `CallerPool` would let it wait for a
    connection: the pool timeout when someone waits on its answer (`answering`), then refused
    `busy`; `BACKGROUND_WAIT_S` for any other caller (a connection opening); none for a pool
    without a timeout."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    return pool.timeout() if _answering.get() else BACKGROUND_WAIT_S


class CallerPool(QueuePool):
    """SQLAlchemy's QueuePool, waiting for a free connection as long as the caller can.

    Inside `answering` a caller waits the pool timeout, then gets SQLAlchemy's TimeoutError:
    it answers `busy` or 503 and its client tries again. Any other caller (a disconnect
    recording a presence's end, the job runner, the coalescer's settling) keeps waiting, one
    pool timeout after another, up to `BACKGROUND_WAIT_S`: nothing would send it again.
    `background_waits` counts the pool timeouts such callers waited through.
    """

    background_waits = 0

    def _do_get(self) -> ConnectionPoolEntry:
        patience = None if _answering.get() else time.monotonic() + BACKGROUND_WAIT_S
        while True:
            try:
                return super()._do_get()
            except PoolTimeout:
                if patience is None or time.monotonic() >= patience:
                    raise
                self.background_waits += 1


def on_postgresql(bind: DbSession | Engine) -> bool:
    """Where the two databases part ways: PostgreSQL's statements wait on the network (a
    turn of the hub each) and it has what SQLite lacks (an INSERT inside a WITH, arrays);
    SQLite runs in the process without yielding."""
    engine = bind if isinstance(bind, Engine) else bind.get_bind()
    return engine.dialect.name == "postgresql"


def gevent_patched() -> bool:
    """Whether this process runs under gevent's monkey-patching (as psycopg itself asks)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("select"))


def configure_engine(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE on SQLite; idle connections pinged elsewhere.

    Python's sqlite3 opens a deferred transaction lazily, and a read followed by a
    write then fails at once with "database is locked" under contention, whatever
    the timeout (FIELD-NOTES). Taking the write lock at BEGIN makes writers queue.
    """
    if on_postgresql(engine):
        ping_idle_connections(engine)
        if gevent_patched():
            # Here, not at the top, as this module's other uses of psycopg: hub_wait imports
            # psycopg and gevent, which a process gevent does not serve (the demo, the CLI,
            # the tests) never needs; at the top they would add 61-80 ms to a SQLite
            # `create_app()`, and gevent 18-22 ms to a PostgreSQL one's (measured). Not a
            # cycle: hub_wait imports nothing of networkfest.
            from networkfest.hub_wait import wait_on_the_hub

            wait_on_the_hub(engine)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def ping_idle_connections(engine: Engine) -> None:
    """Check a connection that sat unused for `PING_AFTER_IDLE_S` before handing it out; one
    in steady use goes out unchecked (SQLAlchemy's `pool_pre_ping` pings at every checkout).

    Under gevent every round trip waits for a turn of the hub, and a ping at every checkout
    is one more for every live event and request, while it holds the connection. An idle
    connection that does not answer is replaced before anyone uses it. One that dies in
    steady use (the database restarted under load) fails the one event or request that next
    uses it; SQLAlchemy then replaces every connection the pool holds.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool throws this connection away and hands out a fresh one.
            raise DisconnectionError("an idle connection did not answer its ping") from error


@dataclass
class OncePerInterval:
    """Counts events and says when one is worth a log line: the first at once, then at most
    one per `interval` seconds, carrying how many happened since the last line."""

    interval: float
    _last: float | None = None
    _unreported: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, now: float) -> int | None:
        """Count one event at `now` (monotonic seconds); the number to report if a line is
        due now, else None."""
        with self._lock:
            self._unreported += 1
            if self._last is not None and now - self._last < self.interval:
                return None
            self._last = now
            reported, self._unreported = self._unreported, 0
            return reported


_saturation = OncePerInterval(SATURATION_LOG_INTERVAL_S)


def report_saturation(refused: str, engine: Engine | None = None) -> None:
    """Count one caller refused for want of a connection (`refused` says how, e.g. "live
    event vote answered busy"); log at most once per interval per process, with the pool's
    state when the caller knows the engine."""
    reported = _saturation.count(time.monotonic())
    if reported is not None:
        log.warning(
            "database saturated: %d refused for want of a pooled connection since the last "
            "report (the latest: %s)%s",
            reported,
            refused,
            f"; {engine.pool.status()}" if engine is not None else "",
        )


def autocommit(db: DbSession) -> None:
    """On PostgreSQL, let each statement of this unit of work commit on its own: for a unit
    whose only write is one statement (a vote, a question), or that only reads (a join, a
    connection's token). Call it before the first one.

    Under gevent every round trip waits while the hub runs every other ready greenlet. In a
    transaction a vote held its pooled connection for about fifteen round trips, BEGIN and
    COMMIT included, and the question's row lock from its UPDATE until its COMMIT: a turn of
    the hub during which every other voter's connection waited on that lock, so a storm of
    votes on one question emptied the pool. Without a transaction there is no BEGIN or COMMIT
    and the lock lasts as long as the statement. The session's commit gives the connection
    back to the pool, which restores its usual mode. SQLite runs in the process without
    yielding between statements and keeps its transactions; so does a caller that already
    has one open.
    """
    session = db() if isinstance(db, scoped_session) else db
    if on_postgresql(db) and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


class NotInMemory(Exception):
    """What `from_memory` was asked for needs the database."""


@contextmanager
def from_memory(scoped: scoped_session) -> Iterator[None]:
    """For the block, `scoped` (the app's `db.session`) is a session bound to no database: a
    unit of work that can usually answer from this process's copies (`process_cache`) takes
    no pooled connection and needs no gate in front of the pool, and whatever it would read
    on the way (the caller not kept any more, a copy gone) raises `NotInMemory` at the first
    statement instead, for the caller to do the unit again with the database. It must write
    nothing, since nothing is committed; a copy read on the way is kept or not as usual."""
    registry = scoped.registry
    before = registry() if registry.has() else None
    memory = Session()
    registry.set(memory)
    try:
        yield
    except UnboundExecutionError as error:
        raise NotInMemory from error
    finally:
        memory.close()
        if before is None:
            registry.clear()
        else:
            registry.set(before)


def committed_together(
    db: DbSession, statements: Sequence[tuple[Executable, Mapping[str, Any]]]
) -> list[list[Any]]:
    """PostgreSQL: run the statements and the COMMIT as one batch (psycopg's pipeline mode),
    and return each statement's rows (none for a statement that returns none), as named
    tuples.

    The client does not wait for a statement's result before sending the next: a lock the
    first one takes is not held across a round trip per statement (docs/benchmarks.md,
    "Registration in one batch"). Each statement still takes its own snapshot when it
    starts, so one that follows a lock sees everything committed before the lock was
    granted. The unit of work must not have written through the ORM: the batch goes straight
    to the driver. Its errors come back as SQLAlchemy's (an `IntegrityError` for a broken
    constraint) with the transaction rolled back or failed; the caller rolls the session
    back either way. The caller commits the session after, as usual: that sends nothing
    more, and runs its after-commit work.

    psycopg sends each statement as it is executed, and under gevent waits on the socket at
    every step (16 to 18 times for two statements), each wait a turn of the hub: the lock lasts
    those turns. `committed_in_one_message` sends it all at once and waits once.
    """
    import psycopg
    from psycopg.rows import namedtuple_row

    raw, batch = _driver_batch(db, statements)
    cursors = [raw.cursor(row_factory=namedtuple_row) for _ in batch]
    opens = _outside_transaction(raw)
    try:
        with raw.pipeline():
            with raw.transaction() if opens else nullcontext():
                for cursor, (sql, params) in zip(cursors, batch, strict=True):
                    cursor.execute(sql, params)
            if not opens:
                raw.commit()
        return [cursor.fetchall() if cursor.description else [] for cursor in cursors]
    except psycopg.Error as error:
        raise _batch_error(batch, error) from error
    finally:
        for cursor in cursors:
            cursor.close()


def committed_in_one_message(
    db: DbSession, statements: Sequence[tuple[Executable, Mapping[str, Any]]]
) -> list[list[Any]]:
    """`committed_together` sent as one message, a multi-statement query with its parameters
    bound by psycopg in the client (`ClientCursor.mogrify`, quoted for this connection): one
    wait for the server instead of one per step, a third of the client's CPU, and a lock
    that lasts the server's own time (docs/benchmarks.md, "One message for a registration").

    For a request's own unit of work, a registration. A group of votes or poll answers keeps
    the pipeline: in their storms this made each group's write faster but the groups smaller
    and more frequent, the coalesced broadcasts of the counts more frequent with them, and
    the acknowledgements' p99 later on a saturated machine.
    """
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.rows import namedtuple_row

    raw, batch = _driver_batch(db, statements)
    cursor = psycopg.ClientCursor(raw, row_factory=namedtuple_row)
    sent = [cursor.mogrify(sql, params) for sql, params in batch]
    opens = _outside_transaction(raw)
    # Not in autocommit, psycopg would first send a BEGIN of its own, a round trip alone:
    # the connection is in autocommit for the message, whose BEGIN opens the transaction,
    # and goes back once it is over.
    switched = opens and not raw.autocommit
    try:
        if switched:
            raw.autocommit = True
        cursor.execute("; ".join(["BEGIN", *sent, "COMMIT"] if opens else [*sent, "COMMIT"]))
        results: list[list[Any]] = []
        while True:
            results.append(cursor.fetchall() if cursor.description else [])
            if not cursor.nextset():
                break
        return results[1:-1] if opens else results[:-1]
    except psycopg.Error as error:
        if opens and raw.pgconn.transaction_status == TransactionStatus.INERROR:
            raw.rollback()
        raise _batch_error(batch, error) from error
    finally:
        cursor.close()
        if switched and raw.pgconn.transaction_status == TransactionStatus.IDLE:
            raw.autocommit = False


def _driver_batch(
    db: DbSession, statements: Sequence[tuple[Executable, Mapping[str, Any]]]
) -> tuple[Any, list[tuple[str, Mapping[str, Any]]]]:
    """The session's psycopg connection, and each statement's SQL with its parameters."""
    import psycopg

    raw = db.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    dialect = db.get_bind().dialect
    return raw, [_compiled(statement, dialect, dict(params)) for statement, params in statements]


def _outside_transaction(raw: Any) -> bool:
    """Outside a transaction (autocommit, or none begun yet) a batch opens its own with
    BEGIN; inside the caller's it ends it with COMMIT."""
    from psycopg.pq import TransactionStatus

    return bool(raw.autocommit or raw.pgconn.transaction_status == TransactionStatus.IDLE)


def _batch_error(batch: Sequence[tuple[str, Mapping[str, Any]]], error: Exception) -> Exception:
    """SQLAlchemy's error for the driver's, as a statement sent through the session raises
    (an `IntegrityError` for a broken constraint), naming the batch's SQL."""
    import psycopg

    sent = ";\n".join(sql for sql, _ in batch)
    return DBAPIError.instance(sent, None, error, psycopg.Error)


def array_rows(**columns: TypeEngine[Any]) -> TableValuedAlias:
    """PostgreSQL: a group's rows as a table, each column (of its type) sent as one array
    parameter named after it with an "s" (`question_id` from `question_ids`): one statement
    and the same parameters whatever the group's size."""
    arrays = (bindparam(f"{name}s", type_=ARRAY(type_)) for name, type_ in columns.items())
    return func.unnest(*arrays).table_valued(*columns).render_derived()


def integer_rows(*columns: str) -> TableValuedAlias:
    """`array_rows` of integers."""
    return array_rows(**{column: Integer() for column in columns})


def _compiled(
    statement: Executable, dialect: Dialect, params: dict[str, Any]
) -> tuple[str, Mapping[str, Any]]:
    """The statement's SQL for the driver, and its parameters with the statement's own."""
    compiled = _compile(statement, dialect)
    return compiled.string, compiled.construct_params(params) or {}


@functools.cache
def _compile(statement: Executable, dialect: Dialect) -> Compiled:
    """Statements are module constants: each is compiled once per dialect."""
    return statement.compile(dialect=dialect)  # type: ignore[attr-defined]
