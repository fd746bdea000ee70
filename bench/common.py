"""What every benchmark shares: servers on the production worker stack, databases,
the Node load clients, and the printed table.

Everything runs on loopback, each server in its own process started and stopped here.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NODE_LOAD = ROOT / "bench" / "node" / "load.mjs"
SECRET = "bench-secret-not-for-production-0123456789"
POSTGRES_URL = os.environ.get(
    "NETWORKFEST_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("NETWORKFEST_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BENCH_DATABASE = "networkfest_bench"
# A folder: every server a benchmark starts is sampled by py-spy (installed in the venv)
# into `<folder>/<app>-<port>.txt`, collapsed stacks of the busy moments only.
PROFILE_DIR = os.environ.get("NETWORKFEST_BENCH_PROFILE")
# Samples a second: a storm of a few seconds needs more than the default to name its parts.
PROFILE_RATE = os.environ.get("NETWORKFEST_BENCH_PROFILE_RATE", "100")
# The two gevent stacks compared in docs/deploy.md. `gevent` hides gevent-websocket so
# that python-engineio falls back to simple-websocket under gunicorn's plain gevent worker.
STACKS: dict[str, dict[str, Any]] = {
    "gws": {"worker": None, "pythonpath": []},
    "gevent": {
        "worker": "gevent",
        "pythonpath": [str(ROOT / "bench" / "stacks" / "without_gevent_websocket")],
    },
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def live_room_available() -> bool:
    """The app's live namespace exists (not the placeholder the project started with)."""
    source = (ROOT / "networkfest" / "live" / "sockets.py").read_text()
    return "PLACEHOLDER" not in source.split('"""')[1]


@dataclass
class Database:
    kind: str
    url: str
    message_queue: str | None


def fresh_database(kind: str, workdir: Path) -> Database:
    """An empty database: an SQLite file, or a dedicated PostgreSQL database plus Redis."""
    if kind == "sqlite":
        path = workdir / f"bench-{time.monotonic_ns()}.sqlite3"
        return Database(kind, f"sqlite:///{path}", None)
    url = make_url(POSTGRES_URL)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    admin.dispose()
    bench_url = url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    return Database(kind, bench_url, REDIS_URL)


def sessions_started(database: Database, settle_s: float = 10.0) -> int | None:
    """How many connections PostgreSQL has accepted to the database since its statistics
    were reset (`pg_stat_database.sessions`); None on SQLite. A connection is counted when
    it ends, so this first waits (at most `settle_s`) until no other is left, and its own is
    counted by the next read: the difference between a read before a run and one after is
    the run's connections plus one."""
    if database.kind == "sqlite":
        return None
    engine = create_engine(database.url)
    others = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + settle_s
            while conn.scalar(others) and time.monotonic() < deadline:
                time.sleep(0.05)
            started = conn.scalar(
                text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            )
    finally:
        engine.dispose()
    return int(started or 0)


def _proc_files(pid: int, name: str) -> Iterator[str]:
    """`/proc/<pid>/<name>` of a process and of its children (gunicorn master + worker),
    skipping any that ended meanwhile."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            yield Path(f"/proc/{one}/{name}").read_text()
        except FileNotFoundError:
            continue


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in _proc_files(pid, "stat"):
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def peak_rss_mb(pid: int) -> float:
    """The most memory the process and its children have held resident (VmHWM), in MB:
    with the clients connected the whole run, the server's memory at its N."""
    total_kb = 0
    for status in _proc_files(pid, "status"):
        total_kb += next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")
        )
    return total_kb / 1024


class Server:
    """One gunicorn process on the production settings (gunicorn.conf.py)."""

    def __init__(
        self,
        workdir: Path,
        *,
        stack: str = "gws",
        app: str | None = None,
        database: Database | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"server-{self.port}.log"
        stack_cfg = STACKS[stack]
        self.command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        if stack_cfg["worker"]:
            self.command += ["-k", stack_cfg["worker"]]
        if app:
            self.command.append(app)
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([*stack_cfg["pythonpath"], str(ROOT)]),
            "NETWORKFEST_PORT": str(self.port),
            "NETWORKFEST_CONTROL_SOCKET": str(workdir / f"gunicorn-{self.port}.ctl"),
            "NETWORKFEST_ASYNC_MODE": "gevent",
            "NETWORKFEST_SECRET_KEY": SECRET,
            "NETWORKFEST_BASE_URL": self.url,
            "NETWORKFEST_TEST_CLOCK": "1",
            "NETWORKFEST_MAIL_BACKEND": "memory",
            "NETWORKFEST_ENV": "development",
            "NETWORKFEST_LOG_LEVEL": "warning",
        }
        if database is not None:
            self.env["NETWORKFEST_DATABASE_URL"] = database.url
            if database.message_queue:
                self.env["NETWORKFEST_MESSAGE_QUEUE"] = database.message_queue
        self.process: subprocess.Popen[bytes] | None = None
        self.profiler: subprocess.Popen[bytes] | None = None
        self.name = (app or "networkfest").split(":")[0].replace(".", "-")

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        for _ in range(300):
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        self._profile()
                        return
            except OSError:  # refused, reset or timed out while the worker boots
                pass
            try:
                self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            break
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log.read_text()[-3000:]}")

    def _profile(self) -> None:
        """Sample the worker with py-spy when NETWORKFEST_BENCH_PROFILE names a folder."""
        if not PROFILE_DIR or self.process is None:
            return
        Path(PROFILE_DIR).mkdir(parents=True, exist_ok=True)
        out = Path(PROFILE_DIR) / f"{self.name}-{self.port}.txt"
        command = [str(BIN / "py-spy"), "record", "--pid", str(self.process.pid)]
        command += ["--subprocesses", "--rate", PROFILE_RATE, "--nonblocking"]
        command += ["--format", "raw", "--output", str(out)]
        self.profiler = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def cpu(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        return peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.profiler is not None:
            self.profiler.send_signal(signal.SIGINT)
            try:
                self.profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.profiler.kill()
                self.profiler.wait()
            self.profiler = None
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        if PROFILE_DIR:
            shutil.copy(self.log, Path(PROFILE_DIR) / f"{self.name}-{self.port}.log")
        logged = self.log.read_text(errors="replace")
        if "Traceback" in logged:
            # The log goes with the workspace: show why a run failed while it is still here.
            first = logged.index("Traceback")
            print(
                f"{self.name} on port {self.port} logged an exception:\n"
                f"{logged[max(0, first - 500) : first + 4000]}",
                file=sys.stderr,
            )


# What a server logs when its connection pool runs dry: SQLAlchemy's timeout, and Networkfest's
# once-per-interval report of the events and requests it refused (networkfest/database.py).
POOL_EXHAUSTED = ("QueuePool limit", "database saturated")


def pool_exhaustion(log: Path) -> list[str]:
    """The lines of a server's log that say its connection pool ran dry."""
    if not log.exists():
        return []
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if any(sign in line for sign in POOL_EXHAUSTED)]


@contextmanager
def serving(workdir: Path, **kwargs: Any) -> Iterator[Server]:
    server = Server(workdir, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run_node(config: dict[str, Any], workdir: Path, budget_s: float = 240) -> dict[str, Any]:
    """Run the Node load clients with a config; their last output line is the JSON result."""
    path = workdir / f"load-{time.monotonic_ns()}.json"
    path.write_text(json.dumps({**config, "budget_ms": int(budget_s * 1000)}))
    done = subprocess.run(
        ["node", str(NODE_LOAD), str(path)],
        capture_output=True,
        text=True,
        timeout=budget_s + 60,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"ok": False, "error": done.stderr[-2000:] or "no output"}
    return json.loads(lines[-1])


@contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="networkfest-bench-") as tmp:
        yield Path(tmp)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# Read when a benchmark starts: the table is printed after the run, whose own load
# would otherwise be reported as the machine's.
LOAD_AT_START = load_average()


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · {cpu} · "
        f"{mem_kb / 1024 / 1024:.0f} GiB · Python {platform.python_version()} · "
        f"load average (1, 5, 15 min) before the run {LOAD_AT_START}, after it {load_average()}"
    )


def fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def delivery_cells(result: dict[str, Any]) -> list[str]:
    """A fan-out's delivered share and its latency percentiles, as its tables show them."""
    lat = result["latency"]
    return [
        f"{100 * result['ratio']:.2f}%",
        *(fmt(lat[key]) for key in ("p50", "p95", "p99", "max")),
    ]


def storm_cells(
    result: dict[str, Any], cpu: float, people: str, window: str, per: str
) -> list[str]:
    """A vote or poll storm's row after its first columns: counted, acknowledgements,
    refusals, the final state shown, deliveries against one broadcast per event, CPU, pool.
    `people`, `window` and `per` name the result's keys for the storm's kind."""
    ack = result["ack"]
    return [
        f"{result['counted']}/{result[people]}",
        fmt(ack["p50"]),
        fmt(ack["p99"]),
        fmt(ack["max"]),
        str(result["busy"]),
        str(len(result["refused"])),
        f"{result['shown_final']}/{result[people]}",
        fmt(result["settle_ms"]),
        fmt(result[window]),
        fmt(result["deliveries"]),
        fmt(result[per]),
        fmt(result[per] / max(result["deliveries"], 1), 1),
        fmt(cpu, 1),
        str(len(result["pool_exhausted"])),
    ]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, so a run can be pasted into docs/benchmarks.md as it is."""
    width = len(headers)
    cells = [
        [str(h) for h in headers],
        *[[str(c) for c in row] + [""] * (width - len(row)) for row in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(width)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def report(title: str, command: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    print(f"## {title}\n\n{machine()}\n\n`{command}`\n")
    print(table(headers, rows))
    print()
