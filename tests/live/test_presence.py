"""Presence rows from the socket: joins, leaves, disconnects, several tabs and reconnects."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from networkfest.extensions import db, socketio
from networkfest.insights import figures
from networkfest.live import connections
from networkfest.live.models import Presence
from tests.factories import SESSION_START
from tests.live.helpers import Room, emit, events
from tests.statements import recorded

SESSION_END = SESSION_START + timedelta(minutes=45)


def stays(now: datetime = SESSION_END) -> dict[int, list[figures.Interval]]:
    """The stays as the dashboard counts them (`insights/figures.py`)."""
    rows = [
        figures.PresenceRow(p.session_id, p.user_id, p.joined_at, p.left_at)
        for p in db.session.scalars(select(Presence))
    ]
    return figures.stays_in_slot(rows, SESSION_START, SESSION_END, now)


def attendance(now: datetime = SESSION_END) -> dict[int, int]:
    return {
        user: int(sum((b - a).total_seconds() for a, b in spans))
        for user, spans in stays(now).items()
    }


def test_join_leave_and_disconnect_record_stays(socket_client, room: Room, clock) -> None:
    clock.set(SESSION_START)
    first = socket_client(room.attendee)
    emit(first, "join", {"session": room.slug})
    emit(first, "join", {"session": room.slug})  # joining twice is one stay
    second = socket_client(room.attendee)  # a second tab
    clock.advance(timedelta(minutes=5))
    emit(second, "join", {"session": room.slug})
    other = socket_client(room.other)
    emit(other, "join", {"session": room.slug})
    clock.advance(timedelta(minutes=5))
    emit(other, "leave", {"session": room.slug})
    clock.advance(timedelta(minutes=10))
    second.disconnect("/live")
    clock.advance(timedelta(minutes=5))
    first.disconnect("/live")
    # A reconnect after a drop: a new connection, a new stay.
    clock.advance(timedelta(minutes=5))
    again = socket_client(room.attendee)
    emit(again, "join", {"session": room.slug})
    clock.advance(timedelta(minutes=5))
    again.disconnect("/live")
    rows = db.session.scalars(select(Presence).order_by(Presence.id)).all()
    assert len(rows) == 4 and all(row.left_at is not None for row in rows)
    assert attendance() == {room.attendee.id: 30 * 60, room.other.id: 5 * 60}
    assert figures.peak_concurrent(stays()) == 2


def test_joining_again_after_leaving_opens_a_new_stay(socket_client, room: Room, clock) -> None:
    clock.set(SESSION_START)
    sio = socket_client(room.attendee)
    emit(sio, "join", {"session": room.slug})
    clock.advance(timedelta(minutes=5))
    emit(sio, "leave", {"session": room.slug})
    clock.advance(timedelta(minutes=5))
    emit(sio, "join", {"session": room.slug})
    emit(sio, "join", {"session": room.slug})
    rows = db.session.scalars(select(Presence).order_by(Presence.id)).all()
    assert [(row.joined_at, row.left_at) for row in rows] == [
        (SESSION_START, SESSION_START + timedelta(minutes=5)),
        (SESSION_START + timedelta(minutes=10), None),
    ]


def test_watchers_leave_no_presence(socket_client, room: Room, clock) -> None:
    clock.set(SESSION_START)
    sio = socket_client()
    emit(sio, "join", {"session": room.slug})
    sio.disconnect("/live")
    assert db.session.scalars(select(Presence)).all() == []


def test_a_connection_without_a_stay_ends_without_a_statement(
    socket_client, room: Room, clock
) -> None:
    """Only this process opens a connection's stays: one that never joined (or left every
    room) leaves and disconnects asking the database nothing, while a stay still open is
    ended."""
    clock.set(SESSION_START)
    never_joined = socket_client(room.attendee)
    joined = socket_client(room.other)
    emit(joined, "join", {"session": room.slug})
    with recorded() as (statements, _commits):
        emit(never_joined, "leave", {"session": room.slug})
        never_joined.disconnect("/live")
    assert not [sql for sql in statements if "presence" in sql.lower()]
    clock.advance(timedelta(minutes=5))
    joined.disconnect("/live")
    assert [(row.user_id, row.left_at) for row in db.session.scalars(select(Presence))] == [
        (room.other.id, SESSION_START + timedelta(minutes=5))
    ]


def test_open_stays_count_until_now_or_the_end(socket_client, room: Room, clock) -> None:
    clock.set(SESSION_START)
    sio = socket_client(room.attendee)
    emit(sio, "join", {"session": room.slug})
    assert attendance(now=SESSION_START + timedelta(minutes=3)) == {room.attendee.id: 180}
    assert attendance() == {room.attendee.id: 45 * 60}


def test_disconnect_user_closes_every_connection(socket_client, room: Room, clock) -> None:
    clock.set(SESSION_START)
    in_room = socket_client(room.attendee)
    emit(in_room, "join", {"session": room.slug})
    elsewhere = socket_client(room.attendee)
    bystander = socket_client(room.other)
    in_room.get_received("/live")
    connections.disconnect_user(room.attendee.id)
    assert not in_room.is_connected("/live")
    assert not elsewhere.is_connected("/live")
    assert bystander.is_connected("/live")
    open_rows = db.session.scalars(select(Presence).where(Presence.left_at.is_(None))).all()
    assert open_rows == []


def test_signing_out_leaves_other_people_alone(socket_client, room: Room) -> None:
    sio = socket_client(room.attendee)
    other = socket_client(room.other)
    connections.disconnect_user(room.attendee.id)
    assert not sio.is_connected("/live")
    assert other.is_connected("/live")
    assert events(other, "logged_out") == []


def test_signing_out_over_http_closes_that_browsers_sockets(
    app, socket_client, login, room: Room
) -> None:
    elsewhere = socket_client(room.attendee)
    browser = login(app.test_client(), room.attendee)
    sio = socketio.test_client(app, namespace="/live", flask_test_client=browser)
    response = browser.post("/logout")
    assert response.status_code in (302, 303)
    assert not sio.is_connected("/live")
    assert elsewhere.is_connected("/live")
