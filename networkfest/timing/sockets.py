"""Clock events on `/live`: `clock_sync` for clients' offset estimates, `agenda_next` for hosts."""

from __future__ import annotations

from typing import Any

from flask import current_app

from networkfest.clock import to_epoch_ms
from networkfest.context import now
from networkfest.extensions import db
from networkfest.live import emit
from networkfest.live.protocol import (
    Ack,
    ProtocolError,
    live_event,
    ok,
    require_caller,
    require_int,
    require_object,
    require_str,
)
from networkfest.programme.queries import session_by_slug
from networkfest.timing import services

# Plausible epoch milliseconds from a client (years 1970 to 2286): anything else is invalid.
MAX_EPOCH_MS = 10**13


class ClockEvents:
    @live_event
    def on_clock_sync(self, payload: Any) -> Ack:
        """Echo the client's send time with the server's: one round trip of the offset estimate."""
        t0 = require_int(require_object(payload), "t0")
        if not 0 <= t0 < MAX_EPOCH_MS:
            raise ProtocolError("invalid", "'t0' must be epoch milliseconds.")
        return ok(t0=t0, server=to_epoch_ms(now()))

    @live_event
    def on_agenda_next(self, payload: Any) -> Ack:
        """Hosts of the session and organisers move the run sheet on; the room hears the clock."""
        slug = require_str(require_object(payload), "session", max_length=80)
        user = require_caller()
        festival_session = session_by_slug(db.session, slug)
        if festival_session is None or festival_session.cancelled:
            raise ProtocolError("not_found", "There is no session with that name.")
        if not (user.organiser or festival_session.is_host(user)):
            raise ProtocolError("forbidden", "Only the session's hosts can move the run sheet on.")
        state = services.agenda_next(db.session, festival_session, user.id, now())
        emit.to_session("clock", state, festival_session.id)
        wake = current_app.extensions.get("networkfest.wake_ticker")
        if wake is not None:
            wake()
        return ok(clock=state)
