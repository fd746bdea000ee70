"""PostgreSQL's replies, taken as soon as the gevent hub looks for I/O.

Under gevent's monkey-patching psycopg 3 waits for its socket with `select.poll`, which
gevent emulates: the socket's watcher sets an event, and the event wakes the waiting
greenlet through the hub's queue of callbacks, behind everything already in it. A question
broadcast to 2,000 people puts 2,000 writers in that queue, so every round trip an `ask`
made while one was going out waited for the whole of it: on a machine where a broadcast
takes about 100 ms, an ask's three round trips took 100 to 350 ms, the next question was late,
and the one after it later still (docs/benchmarks.md, "Round trips behind the broadcast").

A wait on the socket's own watcher (`Hub.wait`) is switched to straight from the loop when
the socket is ready: the hub looks for I/O every millisecond while it runs callbacks
(`gunicorn.conf.py` sets the switch interval), so the reply is taken within about that.

psycopg routes every wait on an open connection through `Connection.wait`; this connection
class overrides it, and the engine opens its connections with it through SQLAlchemy's
`do_connect` event. Nothing of the library is replaced: without gevent the engine keeps
psycopg's own class and its C wait.
"""

from __future__ import annotations

from typing import Any, TypeVar

import psycopg
from gevent import get_hub
from psycopg.abc import PQGen
from psycopg.waiting import Ready, Wait
from sqlalchemy import Engine, event

RV = TypeVar("RV")

# libev's event bits for what psycopg waits for, and what to tell it when the watcher fires.
# A watcher for both says only that one of them is ready: psycopg then reads and flushes
# without blocking, so telling it both is safe.
_WATCH = {Wait.R: (1, Ready.R), Wait.W: (2, Ready.W), Wait.RW: (3, Ready.RW)}


class HubWaitingConnection(psycopg.Connection[Any]):
    """psycopg's connection, waiting for its socket on a gevent watcher of its own."""

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        """psycopg's `timeout` (only its cancellation path asks for one) keeps its own wait;
        its `interval` lets a blocked thread see Ctrl-C, which a greenlet needs no help for."""
        if timeout is not None:
            return super().wait(gen, interval, timeout)
        hub = get_hub()
        fileno = self.pgconn.socket
        try:
            waiting_for = next(gen)
            while True:
                events, ready = _WATCH[waiting_for]
                watcher = hub.loop.io(fileno, events)
                try:
                    hub.wait(watcher)
                finally:
                    watcher.close()
                waiting_for = gen.send(ready)
        except StopIteration as done:
            result: RV = done.value
            return result


def wait_on_the_hub(engine: Engine) -> None:
    """Open the engine's PostgreSQL connections as `HubWaitingConnection`s: for a process
    under gevent's monkey-patching (`database.gevent_patched`)."""

    @event.listens_for(engine, "do_connect")
    def _connect(
        _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
    ) -> HubWaitingConnection:
        return HubWaitingConnection.connect(*cargs, **cparams)
