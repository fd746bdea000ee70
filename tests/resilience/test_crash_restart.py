"""A one-process server SIGKILLed in the middle of a live session (issue 7, Resilience).

The default deployment: one `networkfest run` process on its database (SQLite, or
PostgreSQL when the suite runs on it). Clients join, ask and vote; the process is killed
with no chance to clean up, and a new one starts on the same port and database. The
clients reconnect by themselves and their `join` snapshot holds every acknowledged
question and vote; the room then carries on live.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.resilience.support import STARTS, dispose, seed
from tests.room_client import RoomClient
from tests.server import LiveServer


def test_a_killed_server_loses_nothing_acknowledged_and_its_clients_resynchronise(
    scratch_database_url: str, tmp_path: Path
) -> None:
    server = LiveServer(scratch_database_url, tmp_path / "server.log")
    server.migrate()
    slug, tokens = seed(server.app, ("alice", "bob"))
    clients: list[RoomClient] = []
    try:
        server.start()
        server.set_clock(STARTS + timedelta(minutes=5))
        alice = RoomClient(server.url, tokens["alice"], slug, transports=["websocket"])
        bob = RoomClient(server.url, tokens["bob"], slug, transports=["websocket"])
        clients = [alice, bob]
        for client in clients:
            client.connect()

        first = alice.ask("Asked by Alice before the crash")
        second = bob.ask("Asked by Bob just before the crash")
        assert bob.vote(first["id"]) == 1
        assert alice.vote(first["id"]) == 2
        assert alice.vote(second["id"]) == 1
        joins = [client.joins() for client in clients]

        server.kill()
        server.start()
        server.set_clock(STARTS + timedelta(minutes=6))
        for client, before in zip(clients, joins, strict=True):
            client.wait_for(lambda c=client, n=before: c.joins() > n, "a re-join after the restart")

        for client in clients:
            questions = {q["text"]: q for q in client.last_state()["questions"]}
            assert set(questions) == {first["text"], second["text"]}
            assert questions[first["text"]]["votes"] == 2
            assert questions[second["text"]]["votes"] == 1
        assert sorted(alice.last_state()["my_votes"]) == sorted([first["id"], second["id"]])
        assert bob.last_state()["my_votes"] == [first["id"]]

        alice.ask("Asked by Alice after the restart")
        bob.wait_for(lambda: "Asked by Alice after the restart" in bob.texts(), "the new question")
    finally:
        for client in clients:
            client.close()
        server.stop()
        dispose(server)
