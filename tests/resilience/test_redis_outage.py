"""Redis goes away under two live processes and comes back (issue 7, Resilience).

Two real `networkfest run` processes share PostgreSQL and a PRIVATE redis-server that the
test kills (SIGKILL) and starts again on the same port. Clients are told `queue: down`,
questions asked meanwhile are still acknowledged, and on `queue: up` the clients re-join
and find every acknowledged question and vote, from both processes, in their snapshot.
Skips without redis-server or PostgreSQL (fails instead in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import (
    drop_postgres_database,
    fresh_postgres_database,
    postgres_url,
    run_tag,
    skip_or_fail,
)
from tests.netlink import CuttableLink
from tests.resilience.support import (
    QUEUE_CHANNEL,
    STARTS,
    GunicornQueueServer,
    PrivateRedis,
    QueueServer,
    dispose,
    seed,
)
from tests.room_client import RoomClient

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def shared_database(worker_id: str) -> Iterator[str]:
    url = fresh_postgres_database(postgres_url(), f"networkfest_resilience_{run_tag(worker_id)}")
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture(params=["threading", "gevent"])
def server_class(request: pytest.FixtureRequest) -> type[QueueServer]:
    """`networkfest run` (threads), and gunicorn with its gevent worker (production)."""
    if request.param == "threading":
        return QueueServer
    try:
        import geventwebsocket  # noqa: F401
    except ImportError:
        skip_or_fail("gevent-websocket is not installed (the production worker needs it)")
    return GunicornQueueServer


@contextmanager
def live_room(
    a: QueueServer, b: QueueServer, private_redis: PrivateRedis
) -> Iterator[tuple[RoomClient, RoomClient]]:
    """Both processes serving a live session, Alice's client on A and Bob's on B, each
    process subscribed to the queue; everything stopped afterwards."""
    a.migrate()
    slug, tokens = seed(a.app, ("alice", "bob"))
    clients: list[RoomClient] = []
    try:
        for server in (a, b):
            server.start()
            server.set_clock(STARTS + timedelta(minutes=5))
        alice = RoomClient(a.url, tokens["alice"], slug, transports=["websocket"])
        bob = RoomClient(b.url, tokens["bob"], slug, transports=["websocket"])
        clients = [alice, bob]
        for client in clients:
            client.connect()
        # Each process subscribes when its first client connects, in the background.
        private_redis.wait_for_subscribers(QUEUE_CHANNEL, 2)
        yield alice, bob
    finally:
        for client in clients:
            client.close()
        for server in (a, b):
            server.stop()
            dispose(server)


def test_live_room_reports_a_redis_outage_and_loses_nothing_acknowledged(
    private_redis: PrivateRedis,
    shared_database: str,
    server_class: type[QueueServer],
    tmp_path: Path,
) -> None:
    a = server_class(shared_database, tmp_path / "a.log", private_redis.url)
    b = server_class(shared_database, tmp_path / "b.log", private_redis.url)
    with live_room(a, b, private_redis) as (alice, bob):
        clients = [alice, bob]

        first = alice.ask("Asked on A before the outage")
        bob.wait_for(lambda: "Asked on A before the outage" in bob.texts(), "A's question on B")

        private_redis.kill()
        for client in clients:
            client.wait_for(lambda c=client: "down" in c.queue, "queue: down")
        joins = [client.joins() for client in clients]

        # Stored and acknowledged while the queue is down, on both processes.
        alice.ask("Asked on A during the outage")
        bob.ask("Asked on B during the outage")
        assert bob.vote(first["id"]) == 1

        private_redis.start()
        for client, before in zip(clients, joins, strict=True):
            client.wait_for(lambda c=client: "up" in c.queue, "queue: up")
            client.wait_for(lambda c=client, n=before: c.joins() > n, "a re-join after queue: up")
        everything = {
            "Asked on A before the outage",
            "Asked on A during the outage",
            "Asked on B during the outage",
        }
        for client in clients:
            state = client.last_state()
            assert {q["text"] for q in state["questions"]} == everything
            votes = {q["text"]: q["votes"] for q in state["questions"]}
            assert votes["Asked on A before the outage"] == 1
        assert bob.last_state()["my_votes"] == [first["id"]]

        # The processes hear each other through the queue again.
        bob.ask("Asked on B after the outage")
        alice.wait_for(lambda: "Asked on B after the outage" in alice.texts(), "B's question on A")


def test_a_process_cut_off_alone_makes_every_client_resynchronise(
    private_redis: PrivateRedis, shared_database: str, tmp_path: Path
) -> None:
    """Redis stays up; only A's link to it breaks. B's clients missed A's broadcasts, so
    A's recovery reaches them too, through the queue."""
    link = CuttableLink(("127.0.0.1", private_redis.port))
    a = QueueServer(shared_database, tmp_path / "a.log", f"redis://127.0.0.1:{link.port}/0")
    b = QueueServer(shared_database, tmp_path / "b.log", private_redis.url)
    try:
        with live_room(a, b, private_redis) as (alice, bob):
            link.cut()
            alice.wait_for(lambda: "down" in alice.queue, "queue: down on A")
            alice.ask("Asked on A while it was cut off")
            joins = bob.joins()

            link.restore()
            alice.wait_for(lambda: "up" in alice.queue, "queue: up on A")
            bob.wait_for(lambda: bob.joins() > joins, "B's client re-joining after A's return")
            assert "down" not in bob.queue
            assert "Asked on A while it was cut off" in {
                q["text"] for q in bob.last_state()["questions"]
            }
    finally:
        link.close()
