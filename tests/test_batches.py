"""`database.committed_in_one_message` on PostgreSQL: a unit of work's statements and its COMMIT
go to the server as one message, whichever mode the connection is in, and a batch that fails
leaves nothing of itself behind."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from networkfest import database
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.registration.models import Registration
from tests.factories import FESTIVAL_START

_LOCK = (
    select(FestivalSession.id)
    .where(FestivalSession.id == bindparam("session_id"))
    .with_for_update()
)
_TAKE_SEAT = (
    update(FestivalSession)
    .where(FestivalSession.id == bindparam("session_id"))
    .values(confirmed_count=FestivalSession.confirmed_count + 1)
    .returning(FestivalSession.confirmed_count)
)
_PLACE = insert(Registration).values(
    session_id=bindparam("session_id"),
    user_id=bindparam("user_id"),
    status="confirmed",
    queued_at=bindparam("now"),
    updated_at=bindparam("now"),
)


@pytest.fixture(autouse=True)
def _postgres_only(app: Any) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a batch is PostgreSQL's: SQLite runs each statement in the process")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Each time psycopg waits on a connection's socket for the server (what its generators
    yield: a wait to read or to write)."""
    waited: list[object] = []
    wait = psycopg.Connection.wait

    def watched(gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
        try:
            state = next(gen)
            while True:
                waited.append(state)
                state = gen.send((yield state))
        except StopIteration as done:
            return done.value

    def counted(self: psycopg.Connection[Any], gen: Any, *args: Any, **kwargs: Any) -> Any:
        return wait(self, watched(gen), *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "wait", counted)
    yield waited


def _seats(session_id: int) -> int:
    with db.engine.connect() as other:
        taken: int = other.scalar(
            select(FestivalSession.confirmed_count).where(FestivalSession.id == session_id)
        )
        return taken


def _driver() -> psycopg.Connection[Any]:
    raw = db.session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


@pytest.mark.parametrize("mode", ["transaction", "autocommit"])
def test_a_batch_is_one_message_with_its_commit(factory, festival, waits, mode: str) -> None:
    """In a unit of work not yet begun (a registration) or without a transaction (a group of
    votes): BEGIN, the statements and COMMIT in one message, one wait for the server, each
    statement's rows in order, committed, and the connection left in its mode."""
    session_id = factory.session(festival, capacity=5).id
    db.session.commit()
    if mode == "autocommit":
        database.autocommit(db.session)
    autocommit = _driver().autocommit
    waits.clear()

    locked, taken = database.committed_in_one_message(
        db.session, [(_LOCK, {"session_id": session_id}), (_TAKE_SEAT, {"session_id": session_id})]
    )

    assert len(waits) == 1
    assert [tuple(row) for row in locked] == [(session_id,)]
    assert [row.confirmed_count for row in taken] == [1]
    assert _driver().autocommit is autocommit
    assert _driver().pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert _seats(session_id) == 1
    db.session.commit()


def test_inside_the_callers_transaction_the_batch_commits_it(factory, festival, waits) -> None:
    """A statement the caller sent first is committed with the batch, in the same message as
    the batch's own."""
    session_id = factory.session(festival, capacity=5).id
    db.session.commit()
    db.session.execute(_TAKE_SEAT, {"session_id": session_id})
    waits.clear()

    [taken] = database.committed_in_one_message(
        db.session, [(_TAKE_SEAT, {"session_id": session_id})]
    )

    assert len(waits) == 1
    assert [row.confirmed_count for row in taken] == [2]
    assert _seats(session_id) == 2
    db.session.commit()


def test_a_failed_batch_keeps_nothing_and_the_session_goes_on(factory, festival) -> None:
    """A broken constraint in the batch comes back as SQLAlchemy's `IntegrityError`; the
    seat its first statement took is rolled back with it, and the session carries on after
    its rollback."""
    session = factory.session(festival, capacity=5)
    person = factory.user()
    session_id, user_id = session.id, person.id
    factory.registration(session, person, "confirmed", FESTIVAL_START)
    db.session.commit()
    before = _seats(session_id)
    params = {"session_id": session_id, "user_id": user_id, "now": FESTIVAL_START}

    with pytest.raises(IntegrityError):
        database.committed_in_one_message(db.session, [(_TAKE_SEAT, params), (_PLACE, params)])

    assert _driver().pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert _driver().autocommit is False
    db.session.rollback()
    assert _seats(session_id) == before
    assert (
        db.session.scalar(
            select(FestivalSession.confirmed_count).where(FestivalSession.id == session_id)
        )
        == before
    )


def test_text_goes_quoted_by_the_driver(factory, festival) -> None:
    """The client binds the parameters into the message: a value with quotes and a percent
    sign arrives as it was."""
    session_id = factory.session(festival).id
    db.session.commit()
    awkward = "O'Brien's 100% \\ ; DROP TABLE festival_sessions; --"
    rename = (
        update(FestivalSession)
        .where(FestivalSession.id == bindparam("session_id"))
        .values(title=bindparam("title"))
        .returning(FestivalSession.title)
    )

    [[row]] = database.committed_in_one_message(
        db.session, [(rename, {"session_id": session_id, "title": awkward})]
    )

    assert row.title == awkward
    db.session.commit()
    assert db.session.get(FestivalSession, session_id).title == awkward
