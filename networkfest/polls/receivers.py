"""Polls' reactions to lower slices' signals: a published programme prepares its polls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from networkfest import signals
from networkfest.extensions import db
from networkfest.polls import services


def _prepare(sender: str, *, festival_id: int, now: datetime, **kwargs: Any) -> None:
    services.sync_prepared(db.session, festival_id, now)


def connect() -> None:
    signals.programme_published.connect(_prepare)
