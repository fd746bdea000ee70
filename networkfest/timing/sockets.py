"""Clock events on `/live`: `clock_sync` for clients' offset estimates, `agenda_next` for hosts."""

from __future__ import annotations

from typing import Any

from flask import current_app

from networkfest import jobs
from networkfest.authz import HOST_OF_SESSION, PUBLIC, authorise
from networkfest.clock import to_epoch_ms
from networkfest.context import now
from networkfest.extensions import db
from networkfest.programme.queries import room_by_slug
from networkfest.realtime import emit
from networkfest.realtime.protocol import (
    Ack,
    ProtocolError,
    live_event,
    ok,
    require_int,
    require_object,
    require_str,
)
from networkfest.timing import services

# Plausible epoch milliseconds from a client (years 1970 to 2286): anything else is invalid.
MAX_EPOCH_MS = 10**13


class ClockEvents:
    @live_event
    def on_clock_sync(self, payload: Any) -> Ack:
        """Echo the client's send time with the server's: one round trip of the offset estimate."""
        authorise(PUBLIC)
        t0 = require_int(require_object(payload), "t0")
        if not 0 <= t0 < MAX_EPOCH_MS:
            raise ProtocolError("invalid", "'t0' must be epoch milliseconds.")
        return ok(t0=t0, server=to_epoch_ms(now()))

    @live_event
    def on_agenda_next(self, payload: Any) -> Ack:
        """Hosts of the session and organisers move the run sheet on; the room hears the clock."""
        slug = require_str(require_object(payload), "session", max_length=80)
        festival_session = room_by_slug(db.session, slug)
        if festival_session is not None and festival_session.cancelled:
            festival_session = None
        user = authorise(
            HOST_OF_SESSION,
            festival_session,
            "Only the session's hosts can move the run sheet on.",
        )
        assert festival_session is not None and user is not None
        state = services.agenda_next(db.session, festival_session, user.id, now())
        emit.to_session("clock", state, festival_session.id)
        jobs.wake(current_app)
        return ok(clock=state)
