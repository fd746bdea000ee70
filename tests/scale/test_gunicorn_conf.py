"""gunicorn.conf.py: one gevent worker per process, and nothing shared between two ports."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.scale.cluster import SECRET, AppProcess
from tests.scale.test_two_processes import seed_database

ROOT = Path(__file__).resolve().parents[2]


def settings(monkeypatch: pytest.MonkeyPatch, port: str) -> dict[str, object]:
    monkeypatch.setenv("NETWORKFEST_PORT", port)
    monkeypatch.delenv("NETWORKFEST_CONTROL_SOCKET", raising=False)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_two_ports_get_their_own_bind_and_control_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = settings(monkeypatch, "8001"), settings(monkeypatch, "8002")
    assert (first["bind"], second["bind"]) == (["127.0.0.1:8001"], ["127.0.0.1:8002"])
    assert first["control_socket"] != second["control_socket"]
    assert first["proc_name"] != second["proc_name"]


def test_one_gevent_worker_with_room_for_thousands(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = settings(monkeypatch, "8001")
    assert conf["workers"] == 1
    assert conf["worker_class"] == "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
    assert int(str(conf["worker_connections"])) >= 5000
    assert "NETWORKFEST_ASYNC_MODE=gevent" in list(conf["raw_env"])  # type: ignore[arg-type]
    assert conf["wsgi_app"] == "wsgi:app"
    assert int(str(conf["graceful_timeout"])) > 0


def test_the_master_imports_no_sockets_before_gevent_patches() -> None:
    """gunicorn reads the config in the master: it must not import networkfest (or sockets)."""
    probe = (
        "import runpy, sys; runpy.run_path('gunicorn.conf.py'); "
        "print(sorted(m for m in ('networkfest', 'socket', 'ssl') if m in sys.modules))"
    )
    before = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            "import sys; print(sorted(m for m in ('socket', 'ssl') if m in sys.modules))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    after = subprocess.run(
        [sys.executable, "-S", "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert after == before


def read_around_the_hook(expression: str) -> tuple[str, str]:
    """In a child process, what `expression` shows before and after `post_worker_init` runs:
    the hook changes the process it runs in."""
    probe = (
        "import gc, runpy, sys, types; conf = runpy.run_path('gunicorn.conf.py'); "
        f"print(repr({expression})); "
        "conf['post_worker_init'](types.SimpleNamespace()); "
        f"print(repr({expression}))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    before, after = shown
    return before, after


def test_each_worker_tunes_garbage_collection_for_many_sockets() -> None:
    _, after = read_around_the_hook("(gc.get_threshold(), gc.get_freeze_count() > 0)")
    assert after == "((100000, 50, 1000), True)"


def test_each_worker_looks_for_io_every_millisecond_while_it_sends() -> None:
    """The switch interval is what gevent's hub reads as how long it runs ready greenlets
    before it looks for I/O (5 ms by default)."""
    assert read_around_the_hook("sys.getswitchinterval()") == ("0.005", "0.001")


@pytest.mark.parametrize("access_log", [True, False])
def test_requests_go_to_gunicorns_access_log_when_one_is_set(
    tmp_path: Path, access_log: bool
) -> None:
    """The WebSocket worker's handler logs through gunicorn's access log, as gunicorn's own
    gevent worker does: a line per request when `NETWORKFEST_ACCESS_LOG` names a file, and
    nothing anywhere without it (the server's own log stays quiet)."""
    log = tmp_path / "access.log"
    database_url = f"sqlite:///{tmp_path / 'festival.sqlite3'}"
    seed_database(database_url)
    server = AppProcess(
        tmp_path,
        {
            **os.environ,
            "NETWORKFEST_DATABASE_URL": database_url,
            "NETWORKFEST_SECRET_KEY": SECRET,
            "NETWORKFEST_ENV": "development",
            "NETWORKFEST_MAIL_BACKEND": "console",
            **({"NETWORKFEST_ACCESS_LOG": str(log)} if access_log else {}),
        },
    )
    try:
        server.start()
        with urllib.request.urlopen(server.url + "/healthz?from=test", timeout=10) as response:
            assert response.status == 200
    finally:
        server.stop()
    shown = server.log.read_text()
    assert "/healthz" not in shown and "Traceback" not in shown, shown
    if access_log:
        lines = log.read_text().splitlines()
        assert any('"GET /healthz?from=test HTTP/1.1" 200' in line for line in lines), lines
    else:
        assert not log.exists()
