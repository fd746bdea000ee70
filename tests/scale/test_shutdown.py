"""A real server stopped with SIGTERM writes the stays its joins left pending.

A join is acknowledged before its stay is written (`live/presence.py`); the stays wait for
the next flush, which here is an hour away. Stopping the server the way systemd and
gunicorn do (SIGTERM, then the graceful shutdown) must still leave every stay in the
database: the dashboard's attendance counts on it.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, select

from networkfest.live.models import Presence
from tests.resilience.support import STARTS
from tests.room_client import RoomClient
from tests.scale.cluster import SECRET, AppProcess
from tests.scale.test_two_processes import seed_database


def test_sigterm_writes_the_stays_still_waiting_for_their_flush(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'festival.sqlite3'}"
    slug, tokens = seed_database(database_url)
    server = AppProcess(
        tmp_path,
        {
            **os.environ,
            "NETWORKFEST_DATABASE_URL": database_url,
            "NETWORKFEST_SECRET_KEY": SECRET,
            "NETWORKFEST_TEST_CLOCK": "1",
            "NETWORKFEST_ENV": "development",
            "NETWORKFEST_MAIL_BACKEND": "console",
            "NETWORKFEST_LOG_LEVEL": "warning",
            "NETWORKFEST_PRESENCE_FLUSH_SECONDS": "3600",
            # The live sockets stay open: the graceful stop would wait 20 s for them.
            "NETWORKFEST_GRACEFUL_TIMEOUT": "2",
        },
    )
    server.env["NETWORKFEST_BASE_URL"] = server.url
    server.start()
    clients = []
    try:
        server.set_clock(STARTS + timedelta(minutes=5))
        for name in ("alice", "bob"):
            client = RoomClient(server.url, tokens[name], slug)
            client.connect()
            assert client.states, f"{name} was not answered"
            clients.append(client)
        engine = create_engine(database_url)
        with engine.connect() as connection:
            assert connection.execute(select(Presence.id)).all() == []  # still pending
        server.stop()
        with engine.connect() as connection:
            stays = connection.execute(select(Presence.user_id, Presence.joined_at)).all()
        engine.dispose()
    finally:
        for client in clients:
            client.close()
        server.stop()
    assert len(stays) == 2 and all(joined_at is not None for _user, joined_at in stays)
