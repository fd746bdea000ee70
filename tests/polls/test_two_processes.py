"""Polls across two processes sharing PostgreSQL and Redis: a poll opened on one reaches the
other, answers on both move every client's counts to the same final state, the hard stop
closes the poll once for the whole cluster, and a programme published on one process gives
the hosts on the other their new prepared list. Skips without PostgreSQL, Redis or nginx."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.factories import PASSWORD
from tests.programme.schedules import schedule, session
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


def make_organiser(cluster: Cluster, email: str) -> None:  # noqa: F811 (the fixture's name)
    engine = create_engine(cluster.processes[0].env["NETWORKFEST_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET organiser = true WHERE email = :email"), {"email": email}
        )
    engine.dispose()


def poll_state(cluster: Cluster, poll: int) -> tuple[str, int]:  # noqa: F811
    engine = create_engine(cluster.processes[0].env["NETWORKFEST_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT status, revision FROM polls WHERE id = :id"), {"id": poll}
            ).one()
            return row.status, row.revision
    finally:
        engine.dispose()


def test_polls_across_two_processes(cluster: Cluster) -> None:  # noqa: F811
    make_organiser(cluster, "alice@example.org")  # alice runs the poll: organisers may
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

        # Both processes' job runners reach the hard stop; one closes the poll: its closing
        # UPDATE is the claim, so the revision rises once. How many `closed` broadcasts a
        # client gets is not the claim's measure: a process that flushed counts settles after
        # the storm and sends the poll again when it is newer than what it sent, and the close
        # sent by the other process may be that newer state (the same payload, received twice).
        status, revision = poll_state(cluster, poll)
        assert status == "open"
        cluster.set_clock(ENDS + timedelta(seconds=1))
        for client in clients:
            client.wait_for(lambda c=client: c.closes() >= 1, "the close at the hard stop")
            client.wait_for(
                lambda c=client: any(k["phase"] == "ended" for k in c.clocks), "the end"
            )
        assert poll_state(cluster, poll) == ("closed", revision + 1)
        for client in clients:
            with client.changed:
                closes = [p for p in client.polls if p["status"] == "closed"]
            assert all(p == closes[0] for p in closes)
            assert [o["votes"] for o in closes[0]["options"]] == [2, 1]
        assert [c.last_votes() for c in clients] == [[2, 1]] * 3
    finally:
        for client in clients:
            client.close()


class PreparedClient(RoomClient):
    """A room client that also keeps every `prepared_polls` event it is sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: list[dict[str, Any]] = []
        self.sio.on("prepared_polls", self._prepared, namespace="/live")

    def _prepared(self, payload: dict[str, Any]) -> None:
        with self.changed:
            self.prepared.append(payload)
            self.changed.notify_all()

    def prepared_questions(self) -> list[list[str]]:
        with self.changed:
            return [[p["question"] for p in told["polls"]] for told in self.prepared]


# Session "alpha" of tests.programme.schedules: 09:00-09:30 UTC on 21 September 2026.
ALPHA_LIVE = datetime(2026, 9, 21, 9, 10, tzinfo=UTC)
PITFALLS = '{ question = "Which pitfall does your network have?", options = ["Unclear", "Fading"] }'
BREAKOUT = '{ question = "Ready for the breakout?", options = ["Yes", "Not yet"] }'


def upload(url: str, organiser: str, text_of_file: str) -> None:
    """Publish a schedule file as an organiser does, on `/organiser/schedule` of one process."""
    browser = requests.Session()

    def csrf(path: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(url + path).text)
        assert found is not None
        return found.group(1)

    signed_in = browser.post(
        url + "/login",
        data={"email": organiser, "password": PASSWORD, "csrf_token": csrf("/login")},
        allow_redirects=False,
        timeout=WAIT_S,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    published = browser.post(
        url + "/organiser/schedule",
        data={"csrf_token": csrf("/organiser/schedule"), "publish": "1"},
        files={"file": ("festival.toml", text_of_file.encode(), "text/plain")},
        timeout=WAIT_S,
    )
    assert published.status_code == 200, published.text[:2000]


def test_a_programme_published_on_one_process_reaches_the_hosts_on_the_other(
    cluster: Cluster,  # noqa: F811
) -> None:
    make_organiser(cluster, "alice@example.org")
    cluster.set_clock(ALPHA_LIVE)
    x = cluster.behind_nginx()
    y = next(p for p in cluster.processes if p is not x)
    hosted = session(hosts='["bob@example.org"]', extra=f"polls = [{PITFALLS}]")
    upload(x.url, "alice@example.org", schedule(hosted))
    origin = cluster.nginx.url
    bob = PreparedClient(y.url, cluster.tokens["bob"], "alpha", origin=origin)
    carol = PreparedClient(y.url, cluster.tokens["carol"], "alpha", origin=origin)
    try:
        bob.connect()
        carol.connect()
        changed = session(hosts='["bob@example.org"]', extra=f"polls = [{PITFALLS}, {BREAKOUT}]")
        upload(x.url, "alice@example.org", schedule(changed))
        bob.wait_for(lambda: bob.prepared != [], "the new prepared list on the other process")
        assert bob.prepared_questions() == [
            ["Which pitfall does your network have?", "Ready for the breakout?"]
        ]
        # Carol watches on the same process: her join's answer comes after anything sent to
        # her before it, and the hosts' list never is.
        carol.sio.call("join", {"session": "alpha"}, namespace="/live", timeout=WAIT_S)
        assert carol.prepared == []
    finally:
        bob.close()
        carol.close()
