"""Polls' job: every open poll closes at its session's hard stop, once per cluster.

The claim is the close's conditional UPDATE (`status = 'open'`): the process whose UPDATE
changes the row announces it; the others see no row changed and stay quiet.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from networkfest import jobs
from networkfest.extensions import db
from networkfest.polls import services
from networkfest.polls.sockets import publish


def close_due(now: datetime) -> datetime | None:
    for view in services.close_at_hard_stop(db.session, now):
        publish(view)
    return services.next_hard_stop(db.session, now)


def register(app: Flask) -> None:
    jobs.register(app, "polls' hard stop", close_due)
