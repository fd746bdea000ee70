"""Production gunicorn settings: one gevent worker per process, N processes behind nginx.

Start one process per port (docs/deploy.md):
    NETWORKFEST_PORT=8001 gunicorn -c gunicorn.conf.py
This file is read by gunicorn's master before any worker exists: it must not import
networkfest (nothing may import `socket` before gevent patches it in the worker).
"""

import os

_port = int(os.environ.get("NETWORKFEST_PORT", "8001"))
_host = os.environ.get("NETWORKFEST_BIND_HOST", "127.0.0.1")

wsgi_app = "wsgi:app"
bind = [f"{_host}:{_port}"]

# One worker per process: a Socket.IO connection must stay in the process that holds
# its state; more capacity means more processes (ports) behind nginx's sticky balancing.
workers = 1
# Measured in docs/benchmarks.md: gevent-websocket's handler sends about twice the
# messages per CPU second of gevent + simple-websocket. python-engineio picks
# gevent-websocket whenever it is importable, so plain `-k gevent` would not serve
# WebSocket at all once it is installed.
worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
# Each attendee holds one connection; gunicorn's default of 1,000 would refuse the rest.
worker_connections = int(os.environ.get("NETWORKFEST_WORKER_CONNECTIONS", "10000"))
# Long-lived WebSockets: a worker is never "stuck" because a client is slow.
timeout = 60
keepalive = 75
# On SIGTERM, finish requests in flight; live clients reconnect to another process.
graceful_timeout = int(os.environ.get("NETWORKFEST_GRACEFUL_TIMEOUT", "20"))
# gunicorn 27 opens one control socket per user by default; two processes on one host
# would fight over it. Give each port its own.
control_socket = os.environ.get(
    "NETWORKFEST_CONTROL_SOCKET", f"/run/networkfest/gunicorn-{_port}.ctl"
)
proc_name = f"networkfest-{_port}"
raw_env = ["NETWORKFEST_ASYNC_MODE=gevent"]
# nginx on the same host sets X-Forwarded-*; trust it only from loopback.
forwarded_allow_ips = os.environ.get("NETWORKFEST_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("NETWORKFEST_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("NETWORKFEST_LOG_LEVEL", "info")
# How long the worker's hub runs ready greenlets before it looks for I/O (post_worker_init).
HUB_SWITCH_INTERVAL_S = 0.001


def post_worker_init(worker: object) -> None:
    """Garbage collection for thousands of long-lived sockets, and a hub that looks for
    replies while it sends.

    With CPython's default thresholds a worker holding 2,000 connections ran a full
    collection every few hundred milliseconds of churn, each pausing every socket for
    90-300 ms: the tail of every broadcast (docs/benchmarks.md). The app as loaded is
    frozen out of the collector's sight; a young collection waits for 100,000 new objects
    instead of 700 (most die by reference counting first), and a full one for 1,000
    middle collections instead of 10.

    gevent's hub runs ready greenlets for up to the switch interval before it looks for
    I/O again. A broadcast wakes one writer per socket, and meanwhile every reply from
    PostgreSQL or Redis waits up to that long: 5 ms by default, 1 ms here. In a vote storm
    every client showed the final count 135-161 ms after the last vote instead of 181-201 ms
    (docs/benchmarks.md, "A hub that looks for replies every millisecond").
    """
    import gc
    import sys

    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    sys.setswitchinterval(HUB_SWITCH_INTERVAL_S)
    _write_stays_at_sigterm(worker)
    _log_requests_to_the_access_log(worker)


def _log_requests_to_the_access_log(worker: object) -> None:
    """geventwebsocket's request handler logs each request its own way: it formats a line for
    a logger that shows nothing (1 in 40 of a registration's CPU samples) and never reaches
    gunicorn's access log (`accesslog`). Its requests go to gunicorn's access log instead,
    as gunicorn's own gevent worker sends them (with the environ its lines read), and nothing
    is formatted when there is none."""
    from geventwebsocket.handler import WebSocketHandler
    from gunicorn.workers.ggevent import PyWSGIHandler

    class Handler(WebSocketHandler, PyWSGIHandler):  # type: ignore[misc]
        def log_request(self) -> None:
            if self.server.log.access_log_enabled:
                PyWSGIHandler.log_request(self)

    worker.wsgi_handler = Handler  # type: ignore[attr-defined]


def _write_stays_at_sigterm(worker: object) -> None:
    """SIGTERM starts gunicorn's graceful stop, which waits up to `graceful_timeout` for the
    live sockets (they stay open) and then kills the worker: what an `atexit` hook would
    write is lost. The stays that wait for their flush (`networkfest.live.presence`) are
    written as soon as the signal arrives instead, in a greenlet of their own, since a
    signal handler must not block."""
    import signal

    import gevent

    from networkfest.live.presence import flush_at_exit

    graceful_stop = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum: int, frame: object) -> None:
        gevent.spawn(flush_at_exit, worker.wsgi)  # type: ignore[attr-defined]
        graceful_stop(signum, frame)  # type: ignore[operator]

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn set it: requests carry on
