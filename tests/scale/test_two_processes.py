"""Two Networkfest processes behind nginx, sharing PostgreSQL and Redis (issue 8).

- a question asked by a client connected through process X reaches a client on process Y;
- a clock announcement due while both run is sent exactly once;
- killing X loses no question, and its clients reconnect through nginx to Y and get
  their full state back from `join`.

Each process is `gunicorn -c gunicorn.conf.py` (gevent) with the test-only settable
clock; nginx uses deploy/nginx/networkfest-proxy.conf. Skips without PostgreSQL, Redis
or nginx (fails instead in CI, where NETWORKFEST_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from networkfest import create_app
from networkfest.extensions import db
from tests.conftest import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_url,
    redis_url,
    run_tag,
    skip_or_fail,
)
from tests.factories import PASSWORD
from tests.resilience.support import MINUTES, STARTS, seed
from tests.room_client import RoomClient
from tests.scale.cluster import (
    SECRET,
    AppProcess,
    Nginx,
    nginx_binary,
)
from tests.server import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ENDS = STARTS + timedelta(minutes=MINUTES)
WAIT_S = 30.0


@dataclass
class Cluster:
    processes: list[AppProcess]
    nginx: Nginx
    session: str
    tokens: dict[str, str]

    def set_clock(self, instant: datetime) -> None:
        for process in self.processes:
            if process.process is not None:
                process.set_clock(instant)

    def behind_nginx(self) -> AppProcess:
        """The process nginx's sticky hash sends this machine's clients to."""
        with urllib.request.urlopen(self.nginx.url + "/healthz", timeout=10) as response:
            upstream = response.headers["X-Upstream"]
        return next(p for p in self.processes if upstream == f"127.0.0.1:{p.port}")


def seed_database(database_url: str) -> tuple[str, dict[str, str]]:
    """The schema, then the resilience tests' live room with three attendees and tokens."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": SECRET,
            "TESTING": True,
            "TICKER": False,
            "MESSAGE_QUEUE": None,
        }
    )
    with app.app_context():
        db.create_all()
    return seed(app, ("alice", "bob", "carol"))


@pytest.fixture
def cluster(tmp_path: Path, worker_id: str) -> Iterator[Cluster]:
    if nginx_binary() is None:
        skip_or_fail("nginx is not installed (Debian: nginx-light)")
    try:
        import geventwebsocket  # noqa: F401
    except ImportError:
        skip_or_fail("gevent-websocket is not installed (the production worker needs it)")
    base_pg = postgres_url()
    queue = redis_url()
    database_url = fresh_postgres_database(base_pg, f"networkfest_scale_{run_tag(worker_id)}")
    slug, tokens = seed_database(database_url)
    nginx_port = free_port()
    env = {
        **os.environ,
        "NETWORKFEST_DATABASE_URL": database_url,
        "NETWORKFEST_MESSAGE_QUEUE": queue,
        "NETWORKFEST_SECRET_KEY": SECRET,
        "NETWORKFEST_BASE_URL": f"http://127.0.0.1:{nginx_port}",
        "NETWORKFEST_TEST_CLOCK": "1",
        "NETWORKFEST_MAIL_BACKEND": "console",
        # Loopback, no TLS, console mail: a development set-up, as production would refuse it.
        "NETWORKFEST_ENV": "development",
        "NETWORKFEST_LOG_LEVEL": "warning",
        # nginx in front: believe its X-Forwarded-For (one proxy), as docs/deploy.md says.
        "NETWORKFEST_TRUSTED_PROXIES": "1",
    }
    processes = [AppProcess(tmp_path, env), AppProcess(tmp_path, env)]
    nginx = Nginx(tmp_path, nginx_port, processes)
    try:
        for process in processes:
            process.start()
        nginx.start()
        yield Cluster(processes, nginx, slug, tokens)
    finally:
        nginx.stop()
        for process in processes:
            process.stop()
        drop_postgres_database(database_url)


def test_two_processes_share_questions_announce_once_and_survive_a_crash(
    cluster: Cluster,
) -> None:
    cluster.set_clock(STARTS + timedelta(minutes=2))
    x = cluster.behind_nginx()
    y = next(p for p in cluster.processes if p is not x)
    origin = cluster.nginx.url

    # alice and bob come through nginx (so onto x); carol is on y.
    alice = RoomClient(cluster.nginx.url, cluster.tokens["alice"], cluster.session, origin=origin)
    bob = RoomClient(cluster.nginx.url, cluster.tokens["bob"], cluster.session, origin=origin)
    carol = RoomClient(y.url, cluster.tokens["carol"], cluster.session, origin=origin)
    clients = [alice, bob, carol]
    try:
        for client in clients:
            client.connect()
        assert cluster.behind_nginx() is x

        # A question asked on x reaches y through Redis.
        alice.ask("Asked on X: does it reach Y?")
        carol.wait_for(lambda: "Asked on X: does it reach Y?" in carol.texts(), "X's question")
        carol.ask("Asked on Y: does it reach X?")
        alice.wait_for(lambda: "Asked on Y: does it reach X?" in alice.texts(), "Y's question")

        # Both processes' tickers see the five-minute warning due; only one may announce it.
        cluster.set_clock(ENDS - timedelta(minutes=5) + timedelta(seconds=1))
        for client in clients:
            client.wait_for(lambda c=client: c.warnings("warning:5") >= 1, "the 5-minute warning")
        # The next announcement is the barrier: any duplicate of the first came before it.
        cluster.set_clock(ENDS - timedelta(minutes=1) + timedelta(seconds=1))
        for client in clients:
            client.wait_for(lambda c=client: c.warnings("warning:1") >= 1, "the 1-minute warning")
        assert [c.warnings("warning:5") for c in clients] == [1, 1, 1]
        assert [c.warnings("warning:1") for c in clients] == [1, 1, 1]
        cluster.set_clock(STARTS + timedelta(minutes=10))

        # x crashes: no graceful shutdown. Its clients reconnect through nginx to y.
        bob.ask("Asked on X just before the crash")
        x.kill()
        carol.ask("Asked on Y while X was down")
        for client in (alice, bob):
            client.wait_for(lambda c=client: len(c.states) >= 2, "a rejoin after the crash")
        assert cluster.behind_nginx() is y
        everything = {
            "Asked on X: does it reach Y?",
            "Asked on Y: does it reach X?",
            "Asked on X just before the crash",
            "Asked on Y while X was down",
        }
        for client in (alice, bob):
            rejoined = {q["text"] for q in client.states[-1]["questions"]}
            assert rejoined == everything
            assert client.states[-1]["clock"]["phase"] == "live"

        # The survivors keep talking to each other on y.
        alice.ask("Asked after the move")
        for client in (bob, carol):
            client.wait_for(lambda c=client: "Asked after the move" in c.texts(), "the new one")
    finally:
        for client in clients:
            client.close()


class LoopbackBrowser:
    """A browser on a loopback address of its own, with its cookies and CSRF token.

    The address is new each time: the sign-in limits count per address in the Redis that
    every run shares, and a run's count must not reach into the next run's minute (the
    suite runs this module on SQLite, then again on PostgreSQL, minutes apart or less)."""

    def __init__(self, port: int) -> None:
        a, b, c = secrets.token_bytes(3)
        self.address, self.port = f"127.{a}.{b}.{2 + c % 253}", port
        self.cookies: dict[str, str] = {}

    def _request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(self.address, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.read().decode()
        finally:
            connection.close()

    def sign_in(self, email: str, password: str) -> int:
        _, form = self._request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None, form[:500]
        body = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": token.group(1)}
        )
        status, _ = self._request("POST", "/login", body)
        return status


def test_revoking_a_token_closes_its_socket_on_the_other_process(cluster: Cluster) -> None:
    cluster.set_clock(STARTS + timedelta(minutes=2))
    x = cluster.behind_nginx()
    y = next(p for p in cluster.processes if p is not x)
    carol = RoomClient(y.url, cluster.tokens["carol"], cluster.session, origin=cluster.nginx.url)
    alice = RoomClient(y.url, cluster.tokens["alice"], cluster.session, origin=cluster.nginx.url)
    try:
        carol.connect()
        alice.connect()
        request = urllib.request.Request(
            x.url + "/api/v1/me/token",
            method="DELETE",
            headers={"Authorization": f"Bearer {cluster.tokens['carol']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204
        carol.wait_for(lambda: carol.signed_out and not carol.connected(), "carol's socket closed")
        assert alice.connected() and not alice.signed_out
    finally:
        carol.close()
        alice.close()


def test_one_clients_failed_sign_ins_do_not_lock_out_another_address(cluster: Cluster) -> None:
    """Behind nginx every request comes from nginx's address: the limits must key on the
    client's (NETWORKFEST_TRUSTED_PROXIES=1), or one person locks the festival out."""
    port = int(cluster.nginx.url.rsplit(":", 1)[1])
    attacker = LoopbackBrowser(port)
    for n in range(10):
        assert attacker.sign_in(f"guess{n}@example.org", "a wrong password") == 400
    assert attacker.sign_in("guess10@example.org", "a wrong password") == 429
    neighbour = LoopbackBrowser(port)
    assert neighbour.sign_in("bob@example.org", PASSWORD) == 302
