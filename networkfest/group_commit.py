"""Group commit: work that arrives together is written in one transaction, and each caller
is answered after that commit.

In a storm of votes every vote written on its own holds a pooled connection for its round
trips, each waiting its turn in a gevent hub full of other work, and the pool runs dry
(docs/benchmarks.md, "Votes in groups"). Here the first caller to arrive while nobody is
writing becomes the *leader*: it writes everything waiting, its own work included, in one
unit of work on its own connection, hands each caller its outcome, and, if more arrived
meanwhile, wakes the first of those to lead the next group. Every other caller holds no
connection while it waits. No timer batches anything: a group is whatever arrived while
the previous one was written (and, where nothing else would let the others in, during one
turn of the hub before it: `together`), so a lone caller is written at once.

It works alike under gevent (the leader's wait for the database lets the others queue up)
and with threads. There is one group per process and kind of work (`together`, keeping each
`GroupCommit` in the app's extensions under its slice's key); several processes each group
their own. Reads that arrive in storms go the same way (the personal tokens of people a
process has not seen yet): one statement for the group instead of one round trip each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask import current_app
from sqlalchemy.exc import TimeoutError as PoolTimeout

from networkfest.database import on_postgresql, patience
from networkfest.extensions import db, socketio

Work = TypeVar("Work")
Outcome = TypeVar("Outcome")


class Withdrawn(Exception):
    """The caller waited its patience out before any group took its work: nothing of it was
    written, and it may be sent again."""


@dataclass(eq=False)
class _Ticket(Generic[Work, Outcome]):
    work: Work
    ready: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    done: bool = False
    outcome: Outcome | None = None
    error: BaseException | None = None


@dataclass
class GroupCommit(Generic[Work, Outcome]):
    """`write` takes every piece of work waiting, writes them in one unit of work and returns
    one outcome per piece, in order; an exception it raises is every caller's."""

    write: Callable[[Sequence[Work]], Sequence[Outcome]]
    # Called by a leader before it takes its group, so that what arrives with it joins it
    # (`together`: one turn of the hub, where nothing else would let the others in first).
    gather: Callable[[], object] | None = None
    _waiting: list[_Ticket[Work, Outcome]] = field(default_factory=list)
    _writing: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)

    def submit(self, work: Work, patience: float | None = None) -> Outcome:
        """Wait for `work` to be written with whatever arrives with it; its outcome.

        A caller still waiting for a group after `patience` seconds (while the group being
        written waits on the database) withdraws, unwritten (`Withdrawn`). Once a group has
        taken its work it waits for that group's outcome, as the leader does."""
        ticket: _Ticket[Work, Outcome] = _Ticket(work)
        with self._lock:
            self._waiting.append(ticket)
            self._arrived.notify_all()
            if not self._writing:
                self._writing = ticket.lead = True
        if not ticket.lead and not ticket.ready.wait(patience):
            with self._lock:
                if not ticket.lead and ticket in self._waiting:
                    self._waiting.remove(ticket)
                    raise Withdrawn
            ticket.ready.wait()
        if not ticket.done:  # woken to lead
            self._lead()
        if ticket.error is not None:
            raise ticket.error
        return ticket.outcome  # type: ignore[return-value]

    def waiting_at_least(self, count: int, timeout: float) -> bool:
        """Whether `count` callers wait for the next group within `timeout` seconds: for a
        caller that must know a group has formed before it lets the current one finish."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self._waiting) >= count, timeout)

    def _lead(self) -> None:
        if self.gather is not None:
            self.gather()
        with self._lock:
            group, self._waiting = self._waiting, []
        try:
            outcomes = self.write([ticket.work for ticket in group])
            for ticket, outcome in zip(group, outcomes, strict=True):
                ticket.outcome = outcome
        except BaseException as error:  # every caller of the group answers with it
            for ticket in group:
                ticket.error = error
            if not isinstance(error, Exception):
                raise
        finally:
            with self._lock:
                for ticket in group:
                    ticket.done = True
                    ticket.ready.set()
                if self._waiting:
                    following = self._waiting[0]
                    following.lead = True
                    following.ready.set()
                else:
                    self._writing = False


def together(
    key: str,
    write: Callable[[Sequence[Work]], Sequence[Outcome]],
    work: Work,
    *,
    reads: bool = False,
) -> Outcome:
    """Handle this caller's `work` with the work of its kind that arrives with it, through
    this process's group (kept in the app's extensions under `key`), and return its outcome.
    The caller holds no database connection while it waits, and gives up as if it had waited
    for one (`database.patience`): SQLAlchemy's pool timeout, which the caller handles as it
    would any (`busy`, a 503).

    On SQLite, and for `reads` on either database, the leader first gives the hub one turn
    (Socket.IO's `sleep(0)`), so whatever arrived with it joins its group. SQLite runs in the
    process without letting another greenlet in, so without that turn no group forms there:
    one statement for twenty tokens costs a quarter of twenty statements, and a storm of votes
    or poll answers is written in groups, each committed once (docs/benchmarks.md, "Tokens
    read together on SQLite"). On PostgreSQL a group of writes forms while the one before it
    waits on the database."""
    group: GroupCommit[Work, Outcome] | None = current_app.extensions.get(key)
    if group is None:
        sqlite = not on_postgresql(db.engine)
        group = current_app.extensions[key] = GroupCommit(
            write, gather=(lambda: socketio.sleep(0)) if reads or sqlite else None
        )
    try:
        return group.submit(work, patience(db.engine))
    except Withdrawn:
        raise PoolTimeout("no group took this work within the pool timeout") from None
