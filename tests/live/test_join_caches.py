"""A join at nearly the floor's cost, and still right: the per-process caches it reads (a room's
published facts, a token's owner) are dropped the moment what they hold changes, and the
stays it no longer writes before its acknowledgement are written by the next flush, at
disconnect and at shutdown, never lost. Cross-process forgetting: tests/scale/test_join_caches.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, inspect, select, update

from networkfest import process_cache, signals
from networkfest.accounts import services as accounts
from networkfest.accounts.auth import CALLERS, TOKENS, token_identity
from networkfest.accounts.models import ApiToken, User
from networkfest.extensions import db
from networkfest.live import presence
from networkfest.live import sockets as live_sockets
from networkfest.live.models import Presence
from networkfest.process_cache import UNTOLD_S
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import ROOMS
from tests.factories import SESSION_START, announce_publication
from tests.live.helpers import Room, ask, emit, joined
from tests.polls.helpers import answer, open_poll, prepare, votes
from tests.statements import checkouts, counted

NS = "/live"


class FakeTimer:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# The cache itself.


def test_asking_whether_a_request_changed_anything_makes_no_database_session(
    app: Flask,
) -> None:
    """A kept page or a feed's 304 reads its key through `read_through`: a request that has
    not opened a session has changed nothing, and is not given one to say so."""
    db.session.remove()
    assert process_cache.changed_here(db.session, "anything") is False
    assert not db.session.registry.has()
    process_cache.forget_on_commit(db.session, "anything")
    assert process_cache.changed_here(db.session, "anything") is True


def test_an_entry_is_kept_until_its_label_is_forgotten() -> None:
    cache = process_cache.ProcessCache("test")
    assert cache.put("a", 1, labels=("user:1",), ticket=cache.ticket())
    assert cache.put("b", 2, labels=("user:2",), ticket=cache.ticket())
    cache.forget_here("user:1")
    assert (cache.get("a"), cache.get("b")) == (None, 2)
    cache.forget_here()
    assert cache.get("b") is None


def test_a_read_begun_before_a_forget_is_not_stored_after_it() -> None:
    cache = process_cache.ProcessCache("test")
    ticket = cache.ticket()
    cache.forget_here("anything")  # the fact changed while it was being read
    assert cache.put("a", "stale", ticket=ticket) is False
    assert cache.get("a") is None


def test_an_entry_lives_its_lifetime_and_no_longer() -> None:
    timer = FakeTimer()
    cache = process_cache.ProcessCache("test", lifetime_s=60, timer=timer)
    cache.put("a", 1, ticket=cache.ticket())
    timer.now += 59.9
    assert cache.get("a") == 1
    timer.now += 0.1
    assert cache.get("a") is None


def test_the_caller_who_takes_on_an_entry_past_its_lifetime_leaves_the_last_value_to_others() -> (
    None
):
    """Even before it begins to read (a join that tries from memory first, then takes its
    turn at the gate): the others do not read it too. Its new value ends that."""
    timer = FakeTimer()
    cache = process_cache.ProcessCache("test", lifetime_s=60, timer=timer)
    cache.put("a", "old", ticket=cache.ticket())
    timer.now += 60
    others: list[Any] = []

    def another_caller() -> None:
        others.append(cache.get("a"))

    assert cache.get("a") is None  # this caller reads it afresh
    assert cache.get("a") is None  # and still does, asking again
    other = threading.Thread(target=another_caller)
    other.start()
    other.join(5)
    assert others == ["old"]
    cache.put("a", "new", ticket=cache.ticket())
    assert cache.get("a") == "new"


def test_a_copy_of_a_row_holds_its_columns_and_shares_nothing_with_its_session(
    app: Flask, factory: Any
) -> None:
    """A person, with no relationship loaded, is copied column by column; a room with its
    festival loaded is copied with it. Either copy is of no session, unchanged, shares no
    state with the original, and goes back into a session without a query."""
    person = factory.user(name="Ada Peer")
    db.session.commit()
    loaded = db.session.scalar(select(User).where(User.id == person.id))
    assert loaded is not None
    copy = process_cache.detached_copy(loaded)
    assert copy is not loaded
    assert inspect(copy).detached and not inspect(copy).modified
    assert inspect(copy).identity == (person.id,)
    assert (copy.email, copy.name, copy.organiser) == (loaded.email, "Ada Peer", False)
    loaded.name = "Changed in the session"
    assert copy.name == "Ada Peer"
    db.session.rollback()

    session = factory.session(factory.festival())
    db.session.commit()
    room = db.session.get(FestivalSession, session.id)
    assert room is not None and room.festival is not None
    room_copy = process_cache.detached_copy(room)
    assert inspect(room_copy).detached and room_copy.festival.slug == room.festival.slug

    db.session.expunge_all()
    with counted() as statements:
        merged = db.session.merge(copy, load=False)
        merged_room = db.session.merge(room_copy, load=False)
        assert (merged.name, merged_room.festival.slug) == ("Ada Peer", room.festival.slug)
    assert statements == []
    assert merged is not copy and not inspect(merged).modified


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = process_cache.ProcessCache("test", size=2)
    for key in ("a", "b"):
        cache.put(key, key, ticket=cache.ticket())
    cache.get("a")
    cache.put("c", "c", ticket=cache.ticket())
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("a", None, "c")
    assert len(cache) == 2


# A token's owner.


class SecondCaller:
    """A second caller asks `read_through` for a key while a first caller reads it; what it
    got, and every read made."""

    def __init__(self, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
        self.app = app
        self.reads: list[str] = []
        self.got: list[str] = []
        self.waiting = threading.Event()
        original = process_cache._waited_for

        def watched(done: threading.Event) -> bool:
            self.waiting.set()
            return original(done)

        monkeypatch.setattr(process_cache, "_waited_for", watched)
        self.thread = threading.Thread(target=self._ask)

    def _ask(self) -> None:
        with self.app.app_context():
            self.got.append(process_cache.read_through(db.session, "rooms", "k", self._read))

    def _read(self) -> str:
        self.reads.append("second")
        return "the second's"

    def first_reads(self, then: Callable[[], str]) -> str:
        """The first caller's read: it starts the second caller and goes on once that one
        waits for it."""
        self.reads.append("first")
        self.thread.start()
        assert self.waiting.wait(5)
        return then()


def test_a_storm_that_finds_an_entry_gone_reads_it_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everyone joining just after a start or a publication: one reads, the rest take what it
    kept."""
    second = SecondCaller(app, monkeypatch)
    with app.app_context():
        first = process_cache.read_through(
            db.session, "rooms", "k", lambda: second.first_reads(lambda: "the first's")
        )
    second.thread.join(5)
    assert first == "the first's" and second.got == ["the first's"]
    assert second.reads == ["first"]


def test_while_an_entry_past_its_lifetime_is_read_afresh_the_others_take_the_last_value(
    app: Flask, clock: Any
) -> None:
    """A storm that outlives an entry's lifetime does not wait for its next read."""
    got: list[str] = []

    def another_caller() -> None:
        with app.app_context():
            got.append(process_cache.read_through(db.session, "rooms", "k", lambda: "theirs"))

    def read_afresh() -> str:
        other = threading.Thread(target=another_caller)
        other.start()
        other.join(5)
        return "new"

    with app.app_context():
        process_cache.read_through(db.session, "rooms", "k", lambda: "old")
        clock.advance(timedelta(seconds=UNTOLD_S))
        assert process_cache.read_through(db.session, "rooms", "k", read_afresh) == "new"
        assert got == ["old"]
        assert process_cache.read_through(db.session, "rooms", "k", lambda: "unread") == "new"


def test_a_caller_reads_for_itself_when_the_read_it_waited_for_failed(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails() -> str:
        raise RuntimeError("the database went away")

    second = SecondCaller(app, monkeypatch)
    with app.app_context(), pytest.raises(RuntimeError):
        process_cache.read_through(db.session, "rooms", "k", lambda: second.first_reads(fails))
    second.thread.join(5)
    assert second.reads == ["first", "second"] and second.got == ["the second's"]


def test_a_connection_with_a_token_the_process_knows_makes_no_database_session(
    factory: Any, socket_client: Any, clock: Any
) -> None:
    """In a storm most connections find their token kept, or read in another's group: they
    have no database work to give back, and no session is made just to commit nothing."""
    raw = accounts.create_api_token(db.session, factory.user(), "laptop", clock.now())
    db.session.commit()
    assert socket_client(auth={"token": raw}).is_connected(NS)  # reads it, and keeps it
    db.session.remove()
    assert socket_client(auth={"token": raw}).is_connected(NS)
    assert not db.session.registry.has()


def test_a_revoked_token_is_refused_at_once_though_it_was_remembered(
    app: Flask, factory: Any, socket_client: Any, clock: Any
) -> None:
    user = factory.user()
    raw = accounts.create_api_token(db.session, user, "laptop", clock.now())
    first = socket_client(auth={"token": raw})
    assert first.is_connected(NS)
    assert len(process_cache.cache(TOKENS)) == 1  # remembered
    bearer = {"Authorization": f"Bearer {raw}"}
    assert app.test_client().delete("/api/v1/me/token", headers=bearer).status_code == 204
    assert len(process_cache.cache(TOKENS)) == 0
    again = socket_client(auth={"token": raw})
    assert not again.is_connected(NS)


def test_deleting_an_account_forgets_every_token_of_it(
    app: Flask, factory: Any, socket_client: Any, clock: Any
) -> None:
    user = factory.user()
    bystander = factory.user()
    raws = [accounts.create_api_token(db.session, user, n, clock.now()) for n in ("a", "b")]
    kept = accounts.create_api_token(db.session, bystander, "c", clock.now())
    for raw in [*raws, kept]:
        assert token_identity(raw) is not None
    signals.send(
        signals.credentials_changed,
        "privacy",
        user_id=user.id,
        reason="deleted",
        sign_in_ids=[],
        token_id=None,
        everything=True,
    )
    assert len(process_cache.cache(TOKENS)) == 1  # the bystander's
    assert token_identity(kept) == (bystander.id, _token_id(bystander.id))


def test_a_token_removed_behind_the_apps_back_works_no_longer_than_the_lifetime(
    app: Flask, factory: Any, socket_client: Any, clock: Any
) -> None:
    timer = FakeTimer()
    process_cache.caches_of(app).named(
        TOKENS, lambda: process_cache.ProcessCache(TOKENS, lifetime_s=60, timer=timer)
    )
    user = factory.user()
    raw = accounts.create_api_token(db.session, user, "laptop", clock.now())
    assert token_identity(raw) == (user.id, _token_id(user.id))
    db.session.execute(delete(ApiToken))  # by hand: no signal
    db.session.commit()
    assert token_identity(raw) is not None  # remembered, within its lifetime
    timer.now += 60
    assert token_identity(raw) is None
    assert not socket_client(auth={"token": raw}).is_connected(NS)


def test_an_unknown_token_is_never_remembered(app: Flask, factory: Any, clock: Any) -> None:
    assert token_identity("not-a-token") is None
    user = factory.user()
    assert len(process_cache.cache(TOKENS)) == 0
    raw = accounts.create_api_token(db.session, user, "new", clock.now())
    assert token_identity(raw) == (user.id, _token_id(user.id))


def _token_id(user_id: int) -> int:
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user_id))
    assert token_id is not None
    return token_id


# A room's published facts.


def test_a_join_reads_the_room_once_per_published_version(
    socket_client: Any, room: Room, clock: Any
) -> None:
    clock.set(SESSION_START)
    sio = socket_client(room.attendee)
    ends_at = joined(sio, room.slug)["clock"]["ends_at"]

    def end_at(minutes: int) -> int:
        """Changed without a publication (nothing does this but a test)."""
        later = SESSION_START + timedelta(minutes=minutes)
        db.session.execute(
            update(FestivalSession)
            .where(FestivalSession.id == room.session_id)
            .values(ends_at=later)
        )
        db.session.commit()
        return int(later.timestamp() * 1000)

    # The copy holds until no queue told this process of a publication for `UNTOLD_S`
    # (the CLI publishing beside a one-process server).
    later = end_at(90)
    assert joined(sio, room.slug)["clock"]["ends_at"] == ends_at
    clock.advance(timedelta(seconds=UNTOLD_S))
    assert joined(sio, room.slug)["clock"]["ends_at"] == later

    # A publication: forgotten at once.
    latest = end_at(100)
    festival_id = db.session.scalar(select(FestivalSession.festival_id))
    announce_publication(festival_id, clock.now())
    assert len(process_cache.cache(ROOMS)) == 0
    assert joined(sio, room.slug)["clock"]["ends_at"] == latest


def tables_read(statements: list[str]) -> set[str]:
    """The first table each SELECT reads from."""
    found = (re.match(r"\s*SELECT\s.*?\sFROM\s+(\w+)", s, re.DOTALL) for s in statements)
    return {match.group(1) for match in found if match is not None}


def test_a_join_into_a_room_with_nothing_asked_yet_asks_the_database_nothing(
    socket_client: Any, room: Room, clock: Any
) -> None:
    """At a session's start everyone joins a room with no question and no poll: no one can
    have voted or answered, whether they hold a place changes nothing they see, and who they
    are was read when they connected."""
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    other = socket_client(room.other)
    with counted() as statements:
        state = joined(other, room.slug)
    assert (state["questions"], state["my_votes"], state["polls"], state["my_choices"]) == (
        [],
        [],
        [],
        {},
    )
    # Without a background flusher (as here) the stay is written with the join: nothing else.
    assert [s.split("(")[0].strip() for s in statements] == ["INSERT INTO presences"]


def test_only_a_join_that_needs_the_database_takes_a_connection_or_a_turn_at_the_gate(
    app: Flask, socket_client: Any, room: Room, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A storm of joins into a room this process keeps, with nothing asked yet, is answered
    from memory: no pooled connection and no wait at the gate in front of the pool
    (PostgreSQL's; any gate here). A join that must read the room, or its caller, still takes
    its turn."""
    buffered(app)
    clock.set(SESSION_START)
    gate = threading.BoundedSemaphore(1)
    gate.acquire()
    app.extensions[live_sockets.JOIN_GATE_KEY] = gate
    monkeypatch.setattr(live_sockets, "JOIN_GATE_WAIT_S", 0.0)
    attendee, other = socket_client(room.attendee), socket_client(room.other)

    refused = emit(attendee, "join", {"session": room.slug})
    assert refused["ok"] is False and refused["error"]["code"] == "busy"
    gate.release()
    joined(attendee, room.slug)
    assert gate.acquire(blocking=False)
    with checkouts() as taken:
        state = joined(other, room.slug)
    assert taken == [] and state["questions"] == [] and state["clock"]["phase"] == "live"

    process_cache.forget(CALLERS, f"user:{room.other.id}")  # their copy gone
    refused = emit(other, "join", {"session": room.slug})
    assert refused["ok"] is False and refused["error"]["code"] == "busy"
    gate.release()
    joined(other, room.slug)


def test_a_join_sees_the_first_question_and_poll_and_every_move_at_once(
    socket_client: Any, room: Room, clock: Any
) -> None:
    """What a join keeps of the room (whether anyone has asked, whether it has a poll, the
    run sheet's moves) is forgotten by the change that makes it untrue: the first question,
    the first poll, a move. Votes and answers forget nothing: a room with questions and polls
    reads them, and the person's votes and answers, at every join."""
    clock.set(SESSION_START + timedelta(minutes=1))
    host, attendee, other = (
        socket_client(person) for person in (room.host, room.attendee, room.other)
    )
    first = joined(other, room.slug)
    assert (first["questions"], first["polls"], first["clock"]["item"]["index"]) == ([], [], 0)

    question = ask(attendee, room.slug, "Where do we start?")["question"]["id"]
    assert emit(host, "moderate", {"question": question, "action": "approve"})["ok"]
    assert [q["id"] for q in joined(other, room.slug)["questions"]] == [question]
    polls = prepare(room.session_id)
    assert open_poll(host, room.slug, polls[0])["ok"]
    assert [p["id"] for p in joined(other, room.slug)["polls"]] == [polls[0]]
    assert emit(other, "vote", {"question": question, "value": 1})["ok"]
    assert answer(other, polls[0], 2)["ok"]
    with counted() as statements:
        again = joined(other, room.slug)
    assert again["my_votes"] == [question] and again["my_choices"] == {str(polls[0]): [2]}
    assert again["questions"][0]["votes"] == 1 and votes(again["polls"][0]) == [0, 1, 0]
    # The room itself is this process's copy, read where it is, not again for its questions,
    # and it stays in no session: every join in the process shares it.
    assert not tables_read(statements) & {"agenda_moves", "festival_sessions"}, statements
    assert inspect(process_cache.cache(ROOMS).get(room.slug)).detached

    assert emit(host, "agenda_next", {"session": room.slug})["ok"]
    assert joined(other, room.slug)["clock"]["item"]["index"] == 1


def test_the_cached_room_keeps_its_hosts_as_ids_and_reads_people_fresh(
    socket_client: Any, room: Room, clock: Any
) -> None:
    """A host who was an organiser when the copy was made, and is one no longer, is read
    fresh: organisers see who asked an anonymous question, hosts do not."""
    clock.set(SESSION_START)
    set_organiser(room.host.id, True)
    host = socket_client(room.host)
    assert joined(host, room.slug)["questions"] == []  # the copy is made, the host in it
    asked = emit(
        socket_client(room.attendee),
        "ask",
        {"session": room.slug, "text": "Who asks?", "anonymous": True},
    )
    assert asked["ok"] is True
    assert joined(host, room.slug)["questions"][0]["asked_by"] == room.attendee.name
    set_organiser(room.host.id, False)
    seen = joined(socket_client(room.host), room.slug)["questions"]
    assert [q["text"] for q in seen] == ["Who asks?"]  # still a host: sees it pending
    assert "asked_by" not in seen[0]


def set_organiser(user_id: int, organiser: bool) -> None:
    """As the organisers' page does: through the ORM, which tells the callers' copies."""
    user = db.session.get(User, user_id)
    assert user is not None
    user.organiser = organiser
    db.session.commit()


# The caller.


def agenda_next(sio: Any, slug: str) -> dict[str, Any]:
    """An event only the session's hosts and the organisers may send."""
    ack: dict[str, Any] = emit(sio, "agenda_next", {"session": slug})
    return ack


def test_a_callers_right_gained_or_lost_reaches_their_next_event(
    socket_client: Any, room: Room, clock: Any
) -> None:
    """The caller is kept by person after connecting, and any write of their row forgets
    them when it commits: the next event reads them again."""
    clock.set(SESSION_START)
    sio = socket_client(room.attendee)
    assert agenda_next(sio, room.slug)["error"]["code"] == "forbidden"
    assert len(process_cache.cache(CALLERS)) == 1
    set_organiser(room.attendee.id, True)
    assert agenda_next(sio, room.slug)["ok"] is True
    set_organiser(room.attendee.id, False)
    assert agenda_next(sio, room.slug)["error"]["code"] == "forbidden"


def test_a_caller_is_read_once_per_connection_and_copied_clean(
    socket_client: Any, room: Room, clock: Any
) -> None:
    """Connecting reads the person; their events put this process's copy into the event's
    session without a query, and what an event does to it never reaches the copy."""
    clock.set(SESSION_START)
    sio = socket_client(room.host)
    with counted() as statements:
        assert agenda_next(sio, room.slug)["ok"] is True
    # The session's hosts are read with it; the caller is not.
    assert not [s for s in statements if "WHERE users.id = " in s], statements
    kept = process_cache.cache(CALLERS).get(room.host.id)
    assert kept is not None and kept.name == room.host.name
    assert inspect(kept).detached and not inspect(kept).modified


def test_a_caller_changed_behind_the_apps_back_is_read_again_within_the_lifetime(
    app: Flask, socket_client: Any, room: Room, clock: Any
) -> None:
    """A statement that bypasses the ORM tells no one: the copy holds for the lifetime
    (`TOKEN_CACHE_SECONDS`, on the app's clock), then the caller is read again."""
    clock.set(SESSION_START)
    sio = socket_client(room.attendee)
    assert agenda_next(sio, room.slug)["error"]["code"] == "forbidden"
    db.session.execute(update(User).where(User.id == room.attendee.id).values(organiser=True))
    db.session.commit()
    assert agenda_next(sio, room.slug)["error"]["code"] == "forbidden"
    clock.advance(timedelta(seconds=app.config["TOKEN_CACHE_SECONDS"]))
    assert agenda_next(sio, room.slug)["ok"] is True


def test_deleting_an_account_forgets_its_caller(socket_client: Any, room: Room, clock: Any) -> None:
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    assert process_cache.cache(CALLERS).get(room.attendee.id) is not None
    signals.send(
        signals.credentials_changed,
        "privacy",
        user_id=room.attendee.id,
        reason="deleted",
        sign_in_ids=[],
        token_id=None,
        everything=True,
    )
    assert process_cache.cache(CALLERS).get(room.attendee.id) is None


def test_an_unknown_room_is_not_found(socket_client: Any, room: Room) -> None:
    ack = emit(socket_client(room.attendee), "join", {"session": "no-such-room"})
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    assert len(process_cache.cache(ROOMS)) == 0


# Stays written after the acknowledgement.


def buffered(app: Flask, seconds: float = 60.0) -> presence.Buffer:
    """Stays kept for a flush every `seconds`, with no background task: the test flushes."""
    buffer = presence.Buffer(seconds)
    buffer.started = True
    app.extensions[presence.BUFFER_KEY] = buffer
    return buffer


def rows() -> list[tuple[Any, ...]]:
    """The stays written, read in a transaction of its own (SQLite: it ends before a flush)."""
    db.session.rollback()
    found = [
        (p.user_id, p.joined_at, p.left_at)
        for p in db.session.scalars(select(Presence).order_by(Presence.id))
    ]
    db.session.rollback()
    return found


def test_a_join_waits_for_no_write_and_the_next_flush_writes_its_stay(
    app: Flask, socket_client: Any, room: Room, clock: Any
) -> None:
    buffer = buffered(app)
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    clock.advance(timedelta(seconds=20))
    joined(socket_client(room.other), room.slug)
    assert rows() == [] and len(buffer.pending) == 2
    waits: list[float] = []
    with counted() as statements:
        assert presence.flusher_round(app, waits.append) == 2
    assert waits == [60.0]  # the documented interval, then the write
    [written] = [s for s in statements if s.startswith("INSERT INTO presences")]
    if db.engine.dialect.name == "postgresql":  # as arrays: psycopg sends no row on its own
        assert "unnest" in written, written
    assert rows() == [
        (room.attendee.id, SESSION_START, None),
        (room.other.id, SESSION_START + timedelta(seconds=20), None),
    ]
    assert presence.flusher_round(app, waits.append) == 0


def test_a_pending_stay_counts_as_having_been_in_the_room(
    app: Flask, socket_client: Any, room: Room, clock: Any
) -> None:
    buffered(app)
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    festival_session = db.session.get(FestivalSession, room.session_id)
    assert festival_session is not None
    assert presence.was_in_room(db.session, festival_session, room.attendee.id)
    assert not presence.was_in_room(db.session, festival_session, room.other.id)


@pytest.mark.parametrize("signed_in_by", ["cookie", "token"])
def test_leaving_and_disconnecting_write_the_stays_at_once(
    app: Flask, socket_client: Any, room: Room, clock: Any, signed_in_by: str
) -> None:
    """A token's connection is opened and closed outside Flask-SocketIO's request context
    (`LiveNamespace.trigger_event`); its stay ends all the same."""
    buffered(app)
    clock.set(SESSION_START)
    leaver = socket_client(room.attendee)
    if signed_in_by == "token":
        other = db.session.get(User, room.other.id)
        raw = accounts.create_api_token(db.session, other, "laptop", clock.now())
        dropper = socket_client(auth={"token": raw})
    else:
        dropper = socket_client(room.other)
    joined(leaver, room.slug)
    joined(dropper, room.slug)
    clock.advance(timedelta(minutes=5))
    assert emit(leaver, "leave", {"session": room.slug})["ok"] is True
    clock.advance(timedelta(minutes=5))
    dropper.disconnect(NS)
    assert sorted(rows()) == sorted(
        [
            (room.attendee.id, SESSION_START, SESSION_START + timedelta(minutes=5)),
            (room.other.id, SESSION_START, SESSION_START + timedelta(minutes=10)),
        ]
    )


def test_shutting_down_writes_what_is_pending(
    app: Flask, socket_client: Any, room: Room, clock: Any
) -> None:
    buffered(app)
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    presence.flush_at_exit(app)
    assert rows() == [(room.attendee.id, SESSION_START, None)]


class FailingDatabase:
    """The app's database, whose every statement fails."""

    def get_bind(self) -> Any:
        return db.engine

    def execute(self, *args: Any) -> None:
        raise RuntimeError("the database went away")

    def rollback(self) -> None:
        pass


def test_a_failed_write_keeps_its_stays_for_the_next(
    app: Flask, socket_client: Any, room: Room, clock: Any
) -> None:
    buffer = buffered(app)
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    with pytest.raises(RuntimeError):
        presence.flush(app, FailingDatabase())  # type: ignore[arg-type]
    assert len(buffer.pending) == 1
    assert presence.flusher_round(app, lambda seconds: None) == 1
    assert rows() == [(room.attendee.id, SESSION_START, None)]


def test_without_a_background_task_the_stay_is_written_with_the_join(
    app: Flask, socket_client: Any, room: Room, clock: Any
) -> None:
    assert presence.buffer_of(app).interval_s == 0  # TICKER is off in unit tests
    clock.set(SESSION_START)
    joined(socket_client(room.attendee), room.slug)
    assert rows() == [(room.attendee.id, SESSION_START, None)]


def test_the_dashboard_says_how_fresh_presence_is(
    app: Flask, signed_in: Any, factory: Any, room: Room
) -> None:
    organiser = db.session.get(User, room.organiser.id)
    page = signed_in(organiser).get("/organiser/insights").get_data(as_text=True)
    assert "Who is in a room is written as they join." in page
    app.config.update(TICKER=True, PRESENCE_FLUSH_SECONDS=1.0)  # as a production server runs
    page = signed_in(organiser).get("/organiser/insights").get_data(as_text=True)
    assert "Who is in a room is written every 1 s" in page
    assert "loses at most its last 1 s of arrivals" in page
