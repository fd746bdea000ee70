"""Polls' reactions to lower slices' signals: a published programme prepares its polls, and
the hosts of a room open now see the new prepared list at once (`prepared_polls`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from networkfest import signals
from networkfest.extensions import db
from networkfest.polls import services
from networkfest.realtime import emit
from networkfest.realtime.protocol import hosts_room

PREPARED_EVENT = "prepared_polls"


def _prepare(sender: str, *, festival_id: int, now: datetime, **kwargs: Any) -> None:
    changed = services.sync_prepared(db.session, festival_id, now)
    lists = services.prepared_lists(db.session, changed, now)
    db.session.commit()  # end the read transaction: no lock is held while sending
    for session_id, prepared in lists:
        emit.to_room(PREPARED_EVENT, prepared, hosts_room(session_id))


def connect() -> None:
    signals.programme_published.connect(_prepare)
