"""What a block of a test asks the database: the statements sent and the commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from networkfest import database
from networkfest.extensions import db

_BATCHES = ("committed_together", "committed_in_one_message")


@contextmanager
def recorded() -> Iterator[tuple[list[str], list[bool]]]:
    """The statements sent (SQLite's BEGIN IMMEDIATE aside: a lock, not a query) and the
    commits, while the block runs. A batch (`database.committed_together`,
    `committed_in_one_message`) goes straight to the driver: its statements are counted
    here, and its COMMIT when the session commits after it."""
    statements: list[str] = []
    commits: list[bool] = []
    batches = {name: getattr(database, name) for name in _BATCHES}

    def counting(name: str) -> Any:
        def count_batch(db_session: Any, sent: Any) -> Any:
            statements.extend(str(statement) for statement, _params in sent)
            return batches[name](db_session, sent)

        return count_batch

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    def committed(conn: Any) -> None:
        commits.append(True)

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(db.engine, "commit", committed)
    for name in _BATCHES:
        setattr(database, name, counting(name))
    try:
        yield statements, commits
    finally:
        for name, batch in batches.items():
            setattr(database, name, batch)
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(db.engine, "commit", committed)


@contextmanager
def counted() -> Iterator[list[str]]:
    """The statements sent while the block runs."""
    with recorded() as (statements, _commits):
        yield statements


@contextmanager
def checkouts() -> Iterator[list[bool]]:
    """One entry for each connection taken from the pool while the block runs."""
    taken: list[bool] = []

    def checkout(*_args: Any) -> None:
        taken.append(True)

    event.listen(db.engine, "checkout", checkout)
    try:
        yield taken
    finally:
        event.remove(db.engine, "checkout", checkout)
