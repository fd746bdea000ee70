"""Polls across two processes sharing PostgreSQL and Redis: a poll opened on one reaches the
other, answers on both move every client's counts to the same final state, and the hard stop
closes the poll once for the whole cluster. Skips without PostgreSQL, Redis or nginx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.resilience.support import MINUTES, STARTS
from tests.room_client import WAIT_S, RoomClient
from tests.scale.test_two_processes import Cluster, cluster  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ENDS = STARTS + timedelta(minutes=MINUTES)


class PollClient(RoomClient):
    """A room client that also keeps every `poll` event it is sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.polls: list[dict[str, Any]] = []
        self.sio.on("poll", self._poll, namespace="/live")

    def _poll(self, payload: dict[str, Any]) -> None:
        with self.changed:
            self.polls.append(payload)
            self.changed.notify_all()

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.sio.call(event, payload, namespace="/live", timeout=WAIT_S)
        assert ack["ok"], ack
        return ack

    def last_votes(self) -> list[int] | None:
        with self.changed:
            if not self.polls:
                return None
            return [o["votes"] for o in self.polls[-1]["options"]]

    def closes(self) -> int:
        with self.changed:
            return sum(1 for p in self.polls if p["status"] == "closed")


def test_polls_across_two_processes(cluster: Cluster) -> None:  # noqa: F811
    database_url = cluster.processes[0].env["NETWORKFEST_DATABASE_URL"]
    engine = create_engine(database_url)
    with engine.begin() as connection:  # alice runs the poll: organisers may
        connection.execute(
            text("UPDATE users SET organiser = true WHERE email = 'alice@example.org'")
        )
    engine.dispose()
    cluster.set_clock(STARTS + timedelta(minutes=2))
    x = cluster.behind_nginx()
    y = next(p for p in cluster.processes if p is not x)
    origin = cluster.nginx.url
    alice = PollClient(origin, cluster.tokens["alice"], cluster.session, origin=origin)
    bob = PollClient(origin, cluster.tokens["bob"], cluster.session, origin=origin)
    carol = PollClient(y.url, cluster.tokens["carol"], cluster.session, origin=origin)
    clients = [alice, bob, carol]
    try:
        for client in clients:
            client.connect()
        opened = alice.call(
            "poll_open",
            {"session": cluster.session, "question": "Across processes?", "options": ["Yes", "No"]},
        )
        poll = opened["poll"]["id"]
        carol.wait_for(lambda: carol.last_votes() == [0, 0], "the poll opened on X")
        bob.call("poll_answer", {"poll": poll, "choices": [1]})
        carol.call("poll_answer", {"poll": poll, "choices": [2]})
        alice.call("poll_answer", {"poll": poll, "choices": [1]})
        for client in clients:
            client.wait_for(lambda c=client: c.last_votes() == [2, 1], "the final counts")
        # A rejoin on either process has the same state.
        assert carol.call("join", {"session": cluster.session})["state"]["my_choices"] == {
            str(poll): [2]
        }

        # Both processes' job runners reach the hard stop; one closes the poll.
        cluster.set_clock(ENDS + timedelta(seconds=1))
        for client in clients:
            client.wait_for(lambda c=client: c.closes() >= 1, "the close at the hard stop")
            client.wait_for(
                lambda c=client: any(k["phase"] == "ended" for k in c.clocks), "the end"
            )
        assert [c.closes() for c in clients] == [1, 1, 1]
        assert [c.last_votes() for c in clients] == [[2, 1]] * 3
    finally:
        for client in clients:
            client.close()
