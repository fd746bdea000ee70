"""The join's per-process caches across two processes sharing PostgreSQL and Redis: what one
process (or the CLI) changes, the other stops using at once, through the message queue.

- a token the other process remembers is refused there as soon as it is revoked here;
- a room both processes copied is read again by both as soon as a new version is published
  (here from a third process, as `networkfest schedule publish` does);
- a caller the other process keeps is read again there as soon as their row is written;
- the visitors' pages follow a place freed through the other process.

Skips without PostgreSQL, Redis or nginx (fails in CI instead).
"""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from typing import Any

import pytest
import socketio
from flask import Flask
from sqlalchemy import select, update

from networkfest import create_app
from networkfest.accounts.models import User
from networkfest.clock import to_epoch_ms
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from tests.factories import announce_publication
from tests.resilience.support import MINUTES, STARTS
from tests.room_client import RoomClient
from tests.scale.test_two_processes import Cluster, cluster  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ENDS = STARTS + timedelta(minutes=MINUTES)


def ends_at_seen(running: Cluster, url: str, name: str) -> int:
    """Join the room on one process with someone's token; the clock's end it answers."""
    client = RoomClient(url, running.tokens[name], running.session, origin=running.nginx.url)
    try:
        client.connect()
        ends_at: int = client.states[-1]["clock"]["ends_at"]
        return ends_at
    finally:
        client.close()


def third_process(running: Cluster) -> Flask:
    """An app of its own on the cluster's database and queue, as the CLI is."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": running.processes[0].env["NETWORKFEST_DATABASE_URL"],
            "MESSAGE_QUEUE": running.processes[0].env["NETWORKFEST_MESSAGE_QUEUE"],
            "SECRET_KEY": "cli",
            "TESTING": True,
            "TICKER": False,
        }
    )


def publish_a_later_end(running: Cluster, later: int) -> None:
    """What publishing does after its commit, from a process of its own sharing the queue:
    the session's new end is committed, then `programme_published` is sent."""
    app = third_process(running)
    with app.app_context():
        festival_session = db.session.scalars(
            update(FestivalSession)
            .where(FestivalSession.slug == running.session)
            .values(ends_at=ENDS + timedelta(minutes=later))
            .returning(FestivalSession)
        ).one()
        festival_id = festival_session.festival_id
        db.session.commit()
        announce_publication(festival_id, STARTS)
        db.session.remove()
        db.engine.dispose()


def test_what_one_process_changes_the_other_forgets_at_once(cluster: Cluster) -> None:  # noqa: F811
    cluster.set_clock(STARTS + timedelta(minutes=2))
    x, y = cluster.processes

    # Both processes copy the room; y remembers alice's token.
    assert ends_at_seen(cluster, x.url, "bob") == to_epoch_ms(ENDS)
    assert ends_at_seen(cluster, y.url, "alice") == to_epoch_ms(ENDS)

    # Revoked through x: y refuses the token it remembered, at once.
    request = urllib.request.Request(
        x.url + "/api/v1/me/token",
        method="DELETE",
        headers={"Authorization": f"Bearer {cluster.tokens['alice']}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    refused = RoomClient(y.url, cluster.tokens["alice"], cluster.session, origin=cluster.nginx.url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect()
    refused.close()

    # A new version published elsewhere: both processes read the room again, at once.
    publish_a_later_end(cluster, later=15)
    later = to_epoch_ms(ENDS + timedelta(minutes=15))
    assert ends_at_seen(cluster, y.url, "bob") == later
    assert ends_at_seen(cluster, x.url, "carol") == later


def next_item(client: RoomClient) -> dict[str, Any]:
    """An event only the session's hosts and the organisers may send (within the events'
    rate limit: 60 a minute)."""
    ack: dict[str, Any] = client.sio.call(
        "agenda_next", {"session": client.session}, namespace="/live", timeout=10
    )
    return ack


def test_a_right_given_through_another_process_reaches_the_callers_next_event(
    cluster: Cluster,  # noqa: F811
) -> None:
    """y keeps carol as its caller; she is made an organiser through the ORM in a third
    process. The clocks stand still, so the copy's lifetime cannot run out: only the queue
    can change y's answer, and the test asks until it has."""
    cluster.set_clock(STARTS + timedelta(minutes=2))
    y = cluster.processes[1]
    carol = RoomClient(y.url, cluster.tokens["carol"], cluster.session, origin=cluster.nginx.url)
    carol.connect()
    try:
        assert next_item(carol)["error"]["code"] == "forbidden"
        app = third_process(cluster)
        with app.app_context():
            person = db.session.scalar(select(User).where(User.email == "carol@example.org"))
            assert person is not None
            person.organiser = True
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        # Let through, she meets the run sheet's rule: its one item has no next.
        answers = [next_item(carol)]
        while answers[-1]["error"]["code"] == "forbidden" and len(answers) < 30:
            answers.append(next_item(carol))
        assert answers[-1]["error"]["message"] == "This is the last item of the run sheet.", (
            f"y still refused carol {len(answers)} times"
        )
    finally:
        carol.close()


def schedule_etag(url: str) -> str:
    with urllib.request.urlopen(url + "/schedule", timeout=10) as response:
        return str(response.headers["ETag"])


def test_a_place_freed_through_one_process_changes_the_others_pages_at_once(
    cluster: Cluster,  # noqa: F811
) -> None:
    """The visitors' pages of both processes come from their copies of the published
    programme; a seat freed through x is forgotten in y through the queue. Once both have
    their copies the clocks are set an hour back, so no copy's lifetime (on the app's clock)
    can run out during the test: only the queue can change y's answer, and the test asks y
    until it has (the message crosses Redis in about a millisecond). y has served pages
    only, no Socket.IO connection, and still listens."""
    cluster.set_clock(STARTS - timedelta(hours=1))
    x, y = cluster.processes
    before = schedule_etag(y.url)
    assert schedule_etag(x.url) == before
    cluster.set_clock(STARTS - timedelta(hours=2))
    assert schedule_etag(y.url) == before
    request = urllib.request.Request(
        f"{x.url}/api/v1/sessions/{cluster.session}/registration",
        method="DELETE",
        headers={"Authorization": f"Bearer {cluster.tokens['alice']}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 204)
    answers = [schedule_etag(y.url)]
    while answers[-1] == before and len(answers) < 500:
        answers.append(schedule_etag(y.url))
    assert answers[-1] != before, f"y still answered the old programme {len(answers)} times"
    assert answers[-1] == schedule_etag(x.url)
