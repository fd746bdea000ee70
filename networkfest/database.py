"""Engine set-up: SQLite pragmas and write transactions that do not deadlock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def configure_engine(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE on SQLite; nothing to do on PostgreSQL.

    Python's sqlite3 opens a deferred transaction lazily, and a read followed by a
    write then fails at once with "database is locked" under contention, whatever
    the timeout (FIELD-NOTES). Taking the write lock at BEGIN makes writers queue.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
