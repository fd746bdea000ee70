"""Question fan-out over two processes behind nginx, against one process, in the same run.

    .venv/bin/python -m bench.fanout_cluster [--n 2000] [--rounds 2] [--questions 50]

The cluster of the scale test (`tests/scale/cluster.py`): `gunicorn -c gunicorn.conf.py`
processes on PostgreSQL and Redis, Debian's nginx in front with deploy/'s proxy settings and
its sticky `hash $remote_addr`. Each round measures, on a fresh database, nginx with one
process behind it, then nginx with two: N Node socket.io clients in one live room, one
question every 100 ms, the delivery latency from the `ask` to each receiver's `question`.
With two processes the clients come from loopback addresses chosen so that nginx sends half
of them to each process (asked through the `X-Upstream` header the test configuration adds),
and the askers alternate too: every question reaches half its receivers through Redis.

A private `redis-server` (its own port) carries the broadcasts, and the database is this
benchmark's own, so that another benchmark running at the same time neither drops the
database nor delivers its questions here. "CPU s" adds up every gunicorn process and nginx.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH_DATABASE,
    Database,
    cpu_seconds,
    delivery_cells,
    fmt,
    free_port,
    load_average,
    report,
    run_node,
    workspace,
)
from bench.harness import ASKERS
from bench.registration import own_database
from bench.seed import SESSION_SLUG, schema, seed
from networkfest.clock import to_epoch_ms
from networkfest.extensions import db
from tests.scale.cluster import SECRET, AppProcess, Nginx, nginx_binary

# nginx's default of 1,024 connections per worker is fewer than 2,000 clients need (two
# connections each: the client's and the upstream's).
NGINX_CONNECTIONS = 8192
POOL_SIZE = 8
# Loopback addresses to try (all of 127.0.0.0/8 reaches this machine).
CANDIDATES = [f"127.0.0.{i}" for i in range(2, 64)]


@contextmanager
def private_redis(work: Path) -> Iterator[str]:
    """A redis-server of this run's own, on a free port, with nothing saved."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    folder = work / f"redis-{port}"
    folder.mkdir()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def upstream_of(nginx_port: int, address: str) -> str:
    """The backend (host:port) nginx's sticky hash sends clients from `address` to."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", nginx_port, timeout=10, source_address=(address, 0)
    )
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return str(response.headers["X-Upstream"])
    finally:
        connection.close()


def spread(nginx_port: int, processes: list[AppProcess], tokens: list[str]) -> dict[str, str]:
    """Each token's loopback address, alternating between the processes: token i goes to
    process i mod len(processes)."""
    by_backend: dict[str, list[str]] = {f"127.0.0.1:{p.port}": [] for p in processes}
    for address in CANDIDATES:
        by_backend[upstream_of(nginx_port, address)].append(address)
    pools = [by_backend[f"127.0.0.1:{p.port}"] for p in processes]
    if not all(pools):
        raise RuntimeError(f"nginx sent every probed address to one process: {by_backend}")
    chosen: dict[str, str] = {}
    for i, token in enumerate(tokens):
        pool = pools[i % len(pools)]
        chosen[token] = pool[(i // len(pools)) % len(pool)]
    return chosen


def measure(
    work: Path, database: Database, processes_n: int, args: argparse.Namespace, label: str
) -> tuple[dict[str, Any], float]:
    """One fan-out through nginx with `processes_n` processes behind it; the result and the
    CPU seconds of every process and nginx over the client run."""
    app = schema(database)
    seeded = seed(app, attendees=args.n, askers=ASKERS)
    nginx_port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "NETWORKFEST_DATABASE_URL": database.url,
        "NETWORKFEST_MESSAGE_QUEUE": str(database.message_queue),
        "NETWORKFEST_SECRET_KEY": SECRET,
        "NETWORKFEST_BASE_URL": f"http://127.0.0.1:{nginx_port}",
        "NETWORKFEST_TEST_CLOCK": "1",
        "NETWORKFEST_MAIL_BACKEND": "memory",
        "NETWORKFEST_ENV": "development",
        "NETWORKFEST_LOG_LEVEL": "warning",
        "NETWORKFEST_TRUSTED_PROXIES": "1",
        # PostgreSQL serves 100 connections and other work shares it: a smaller pool than the
        # default 20 + 20, the same for one process and two (a fan-out needs few).
        "NETWORKFEST_DATABASE_POOL_SIZE": str(POOL_SIZE),
        "NETWORKFEST_DATABASE_MAX_OVERFLOW": str(POOL_SIZE),
    }
    run_dir = work / f"{label}-{time.monotonic_ns()}"
    run_dir.mkdir()
    processes = [AppProcess(run_dir, env) for _ in range(processes_n)]
    nginx = Nginx(run_dir, nginx_port, processes)
    nginx.conf.write_text(
        nginx.conf.read_text().replace(
            "worker_connections 1024;", f"worker_connections {NGINX_CONNECTIONS};"
        )
    )
    try:
        for process in processes:
            process.start()
        nginx.start()
        everyone = [*seeded.asker_tokens, *seeded.tokens]
        config: dict[str, Any] = {
            "mode": "fanout",
            "url": nginx.url,
            "session": SESSION_SLUG,
            "tokens": seeded.tokens,
            "asker_tokens": seeded.asker_tokens,
            "run": label,
            "ends_at_ms": to_epoch_ms(seeded.ends_at),
            "questions": args.questions,
            "every_ms": args.every_ms,
            "drain_ms": 10_000,
        }
        if processes_n > 1:
            addresses = spread(nginx_port, processes, everyone)
            config["local_address_of"] = addresses
            port_of = {address: upstream_of(nginx_port, address) for address in CANDIDATES}
            config["group_of"] = {token: port_of[addresses[token]] for token in seeded.tokens}
        pids = [p.process.pid for p in processes if p.process is not None]
        assert nginx.process is not None
        pids.append(nginx.process.pid)
        before = sum(cpu_seconds(pid) for pid in pids)
        result = run_node(config, work)
        cpu = sum(cpu_seconds(pid) for pid in pids) - before
    finally:
        nginx.stop()
        for process in processes:
            process.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    for process in processes:
        logged = process.log.read_text(errors="replace")
        if "Traceback" in logged:
            first = logged.index("Traceback")
            print(
                f"process {process.port} logged:\n{logged[first : first + 3000]}", file=sys.stderr
            )
    return result, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--every-ms", type=int, default=100)
    args = parser.parse_args(argv)
    if nginx_binary() is None:
        raise SystemExit("nginx is not installed (Debian: nginx-light)")
    rows: list[list[str]] = []
    with workspace() as work, private_redis(work) as redis_url:
        for round_ in range(1, args.rounds + 1):
            one_p99: float | None = None
            for processes_n in (1, 2):
                database = own_database("postgres", work, f"{BENCH_DATABASE}_cluster")
                database = Database(database.kind, database.url, redis_url)
                load = load_average().split()[0]
                label = f"cluster-{processes_n}p-{round_}"
                result, cpu = measure(work, database, processes_n, args, label)
                if not result.get("ok"):
                    rows.append(
                        [
                            str(round_),
                            str(processes_n),
                            load,
                            "failed: " + str(result.get("error"))[:200],
                        ]
                    )
                    continue
                lat = result["latency"]
                if processes_n == 1:
                    one_p99 = lat["p99"]
                ratio = lat["p99"] / one_p99 if processes_n > 1 and one_p99 else None
                per_process = " / ".join(
                    f"{fmt(g['p99'])} ({g['count']:,})"
                    for _, g in sorted(result.get("groups", {}).items())
                )
                rows.append(
                    [
                        str(round_),
                        str(processes_n),
                        load,
                        str(args.n),
                        *delivery_cells(result),
                        fmt(ratio, 2) if ratio else "-",
                        per_process or "-",
                        fmt(cpu, 1),
                        fmt(result["delivered"] / cpu if cpu else None),
                        str(len(result["refused"])),
                    ]
                )
    report(
        f"Question fan-out through nginx, one process and two ({args.questions} questions "
        f"every {args.every_ms} ms, PostgreSQL + Redis)",
        "python -m bench.fanout_cluster " + " ".join(sys.argv[1:] if argv is None else argv),
        [
            "round",
            "processes",
            "load before",
            "N",
            "delivered",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "p99 / one process's",
            "p99 ms per process (deliveries)",
            "CPU s (processes + nginx)",
            "deliveries per CPU s",
            "asks refused",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
