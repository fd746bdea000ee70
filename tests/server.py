"""A real Networkfest server in a child process, for browser and multi-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from networkfest import create_app
from networkfest.clock import to_epoch_ms

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`networkfest run` on a free port with a settable clock; `app` seeds its database."""

    def __init__(self, database_url: str, log_path: Path, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log_path = log_path
        self.env = {
            **os.environ,
            "NETWORKFEST_DATABASE_URL": database_url,
            "NETWORKFEST_SECRET_KEY": "live-server-secret",
            "NETWORKFEST_BASE_URL": self.url,
            "NETWORKFEST_TEST_CLOCK": "1",
            "NETWORKFEST_MAIL_BACKEND": "console",
            # Loopback, no TLS, console mail: a development set-up, as production would refuse it.
            "NETWORKFEST_ENV": "development",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.app: Flask = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "live-server-secret",
                "TESTING": True,
                "TICKER": False,
                "MESSAGE_QUEUE": extra_env.get("NETWORKFEST_MESSAGE_QUEUE") if extra_env else None,
                "BASE_URL": self.url,
            }
        )

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "networkfest", "db", "upgrade"],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "networkfest", "run", "--port", str(self.port)],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_until_ready()

    def wait_until_ready(self, attempts: int = 300) -> None:
        """Poll the health check; between tries, wait on the process itself (it may crash)."""
        assert self.process is not None
        for _ in range(attempts):
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            try:
                self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"server exited early:\n{self.log_path.read_text()[-3000:]}")
        raise RuntimeError(f"server did not come up:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """A real crash: SIGKILL, no graceful shutdown."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    def set_clock(self, instant: datetime) -> None:
        self._post("/_test/clock", {"now": to_epoch_ms(instant)})

    def run_jobs(self) -> None:
        """Run one round of the server's jobs and return when it is over (`/_test/jobs`)."""
        self._post("/_test/jobs", {})

    def _post(self, path: str, payload: dict[str, Any]) -> None:
        import json

        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200


@contextmanager
def running_server(
    database_url: str, log_path: Path, extra_env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    server = LiveServer(database_url, log_path, extra_env)
    server.migrate()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        from networkfest.extensions import db

        with server.app.app_context():
            db.engine.dispose()
