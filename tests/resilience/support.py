"""Real processes for resilience tests: a private Redis, app servers, and live-room clients.

Everything here waits on conditions with timeouts, never on sleeps.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from flask import Flask

from networkfest.accounts.models import ApiToken
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.extensions import db
from tests import factories
from tests.scale.cluster import wait_for
from tests.server import ROOT, LiveServer, free_port

REDIS_SERVER = Path(shutil.which("redis-server") or "/usr/bin/redis-server")
STARTS = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
MINUTES = 60
WAIT_S = 30.0
QUEUE_CHANNEL = "flask-socketio"

# `networkfest run` on a given port (the CLI takes its port from the environment).
SERVE = """
import sys
from networkfest import create_app
from networkfest.serving import serve
serve(create_app(), "127.0.0.1", int(sys.argv[1]))
"""


class PrivateRedis:
    """A `redis-server` child process on its own port, or on a Unix socket alone (`socket`),
    without persistence; restartable."""

    def __init__(self, log_path: Path, socket: Path | None = None) -> None:
        if socket is None:
            self.port = free_port()
            self.url = f"redis://127.0.0.1:{self.port}/0"
            self.listen = ("--bind", "127.0.0.1")
        else:  # no TCP port at all
            self.port = 0
            self.url = f"unix://{socket}"
            self.listen = ("--unixsocket", str(socket))
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(REDIS_SERVER),
                    *("--port", str(self.port), *self.listen),
                    *("--save", "", "--appendonly", "no"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            for _ in range(300):
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    pass
                try:
                    self.process.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    continue
                raise RuntimeError(f"redis-server exited:\n{self.log_path.read_text()[-2000:]}")
            raise RuntimeError("redis-server did not come up")
        finally:
            client.close()

    def wait_for_subscribers(self, channel: str, count: int) -> None:
        """Until `count` processes listen on the queue's channel (each subscribes on its own)."""
        assert self.process is not None
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            for _ in range(600):
                if dict(client.pubsub_numsub(channel)).get(channel.encode(), 0) >= count:
                    return
                try:
                    self.process.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    continue
                raise RuntimeError(f"redis-server exited:\n{self.log_path.read_text()[-2000:]}")
            raise RuntimeError(f"fewer than {count} subscribers on {channel}")
        finally:
            client.close()

    def kill(self) -> None:
        """Gone at once, as on a crash or a network cut: SIGKILL."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill()


class QueueServer(LiveServer):
    """A `LiveServer` whose process runs `networkfest run` on the message queue."""

    def __init__(self, database_url: str, log_path: Path, queue_url: str) -> None:
        super().__init__(database_url, log_path)
        self.env["NETWORKFEST_MESSAGE_QUEUE"] = queue_url
        self.env["NETWORKFEST_TICKER"] = "0"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE, str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_until_ready()


class GunicornQueueServer(QueueServer):
    """The production shape: `gunicorn -c gunicorn.conf.py` (one gevent worker)."""

    def __init__(self, database_url: str, log_path: Path, queue_url: str) -> None:
        super().__init__(database_url, log_path, queue_url)
        self.env["NETWORKFEST_PORT"] = str(self.port)
        self.env["NETWORKFEST_CONTROL_SOCKET"] = str(log_path.with_suffix(".ctl"))
        self.env["NETWORKFEST_GRACEFUL_TIMEOUT"] = "5"
        self.env["NETWORKFEST_LOG_LEVEL"] = "warning"

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(gunicorn),
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "wsgi:app",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # The worker boots after the master listens: a first request may time out, not fail.
        wait_for(self.url + "/healthz", self.process, self.log_path)


def seed(app: Flask, names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """An open-Q&A session starting at STARTS, and confirmed attendees with API tokens."""
    tokens: dict[str, str] = {}
    with app.app_context():
        festival = factories.make_festival(db.session)
        festival_session = factories.make_session(
            db.session,
            festival,
            starts_at=STARTS,
            minutes=MINUTES,
            agenda=[("Keynote", MINUTES)],
            qa_mode="open",
        )
        for name in names:
            user = factories.make_user(db.session, email=f"{name}@example.org", name=name.title())
            raw = new_api_token()
            db.session.add(
                ApiToken(user=user, name="test", token_hash=hash_token(raw), created_at=STARTS)
            )
            factories.make_registration(
                db.session, festival_session, user, "confirmed", STARTS - timedelta(days=1)
            )
            tokens[name] = raw
        slug = festival_session.slug
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return slug, tokens


def dispose(server: LiveServer) -> None:
    """Close the test process's own connections to the server's database."""
    with server.app.app_context():
        db.engine.dispose()
