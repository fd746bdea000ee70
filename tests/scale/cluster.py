"""A small production-shaped cluster for tests: N gunicorn processes (gevent) sharing
PostgreSQL and Redis, with Debian's nginx in front using deploy/'s proxy settings.

Each process runs gunicorn.conf.py with its own port and control socket and the
test-only settable clock (`NETWORKFEST_TEST_CLOCK=1`). nginx runs in the foreground as a
child process with a generated configuration in a temporary directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from datetime import datetime
from pathlib import Path

from networkfest.clock import to_epoch_ms
from tests.server import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
PROXY_SNIPPET = ROOT / "deploy" / "nginx" / "networkfest-proxy.conf"
SECRET = "cluster-test-secret"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found is not None:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, attempts: int = 300) -> None:
    """Poll a health URL; between tries, wait on the process itself (it may crash)."""
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
    raise RuntimeError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


class AppProcess:
    """One `gunicorn -c gunicorn.conf.py` process on its own port."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"gunicorn-{self.port}.log"
        self.env = {
            **env,
            "NETWORKFEST_PORT": str(self.port),
            "NETWORKFEST_CONTROL_SOCKET": str(workdir / f"gunicorn-{self.port}.ctl"),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py")],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.url + "/healthz", self.process, self.log)

    def set_clock(self, instant: datetime) -> None:
        request = urllib.request.Request(
            self.url + "/_test/clock",
            data=json.dumps({"now": to_epoch_ms(instant)}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    def knows_connection(self, sid: str) -> bool:
        """Whether this process holds the Engine.IO connection `sid` (a polling GET answers 200)."""
        try:
            with urllib.request.urlopen(
                f"{self.url}/socket.io/?EIO=4&transport=polling&sid={sid}", timeout=5
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """A real crash: SIGKILL the master and its worker, no graceful shutdown."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        self.process.kill()
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class Nginx:
    """Debian's nginx in the foreground, balancing the app processes like deploy/ does."""

    def __init__(self, workdir: Path, port: int, backends: list[AppProcess]) -> None:
        self.dir = workdir / "nginx"
        self.dir.mkdir()
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.dir / "error.log"
        servers = "\n".join(
            f"        server 127.0.0.1:{b.port} max_fails=1 fail_timeout=5s;" for b in backends
        )
        temp = "\n".join(
            f"    {kind}_temp_path {self.dir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(
            f"""daemon off;
master_process on;
worker_processes 1;
pid {self.dir / "nginx.pid"};
error_log {self.log} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" "";
    }}
    upstream networkfest {{
        hash $remote_addr consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            include {PROXY_SNIPPET};
            proxy_pass http://networkfest;
            # For the test only: which process answered.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = nginx_binary()
        assert binary is not None
        with (self.dir / "stdout.log").open("ab") as out:
            self.process = subprocess.Popen(
                [binary, "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.log)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.url + "/healthz", self.process, self.log)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
