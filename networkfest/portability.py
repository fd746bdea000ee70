"""Export and import the whole festival as one JSON document, to back up or move a festival.

Table-driven over the metadata, so every table the models define is carried, in foreign-key
order. Every secret stays behind unless asked for (`--with-secrets`): password hashes,
calendar-feed addresses, security stamps, API tokens and sign-ins. A festival moved without
them gives everyone new feed addresses; people set a new password through "forgotten
password" and make new API tokens.
"""

from __future__ import annotations

import base64
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, LargeBinary, Table, func, insert, select, text

from networkfest.database import on_postgresql
from networkfest.extensions import db
from networkfest.types import DbSession, UTCDateTime

FORMAT = "networkfest-export"
FORMAT_VERSION = 1
# Columns blanked without `--with-secrets`, and the value an import then gives them.
SECRET_COLUMNS: dict[tuple[str, str], Any] = {
    ("users", "password_hash"): lambda: None,
    ("users", "calendar_token"): lambda: secrets.token_urlsafe(24),
    ("users", "security_stamp"): lambda: secrets.token_urlsafe(24),
}
# Tables that are nothing but secrets: left out whole without `--with-secrets`.
SECRET_TABLES = frozenset({"api_tokens", "sign_ins"})


class ImportRefused(Exception):
    """The document cannot be imported (wrong format, or the database is not empty)."""


def _tables() -> list[Table]:
    return [t for t in db.metadata.sorted_tables if t.name != "alembic_version"]


def _dump_value(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _load_value(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    return value


def export_festival(session: DbSession, *, include_secrets: bool = False) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in _tables():
        if table.name in SECRET_TABLES and not include_secrets:
            tables[table.name] = []
            continue
        primary = list(table.primary_key.columns)
        rows = session.execute(select(table).order_by(*primary)).mappings()
        dumped = []
        for row in rows:
            record = {}
            for column in table.columns:
                value = row[column.name]
                if (table.name, column.name) in SECRET_COLUMNS and not include_secrets:
                    value = None
                record[column.name] = _dump_value(column.type, value)
            dumped.append(record)
        tables[table.name] = dumped
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "secrets": include_secrets,
        "tables": tables,
    }


def import_festival(session: DbSession, document: dict[str, Any]) -> dict[str, int]:
    """Restore a document into an EMPTY database, all or nothing; returns rows per table."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused("This file is not a Networkfest export.")
    if document.get("version") != FORMAT_VERSION:
        raise ImportRefused(f"This export is format version {document.get('version')!r}.")
    data = document.get("tables")
    if not isinstance(data, dict):
        raise ImportRefused("The export has no tables.")
    known = {t.name for t in _tables()}
    unknown = set(data) - known
    if unknown:
        raise ImportRefused(f"Unknown tables in the export: {', '.join(sorted(unknown))}.")
    for table in _tables():
        if session.scalar(select(func.count()).select_from(table)):
            raise ImportRefused(f"The database is not empty (table {table.name} has rows).")
    counts: dict[str, int] = {}
    for table in _tables():
        rows = data.get(table.name, [])
        columns = {c.name: c for c in table.columns}
        prepared = []
        for row in rows:
            if not isinstance(row, dict) or set(row) - set(columns):
                raise ImportRefused(f"A row of {table.name} does not match its columns.")
            loaded = {k: _load_value(columns[k].type, v) for k, v in row.items()}
            for (table_name, column), fresh in SECRET_COLUMNS.items():
                if table_name == table.name and loaded.get(column) is None:
                    loaded[column] = fresh()
            prepared.append(loaded)
        if prepared:
            session.execute(insert(table), prepared)
        counts[table.name] = len(prepared)
    _reset_sequences(session)
    session.commit()
    return counts


def _reset_sequences(session: DbSession) -> None:
    """PostgreSQL's serial counters do not move when ids are inserted explicitly."""
    if not on_postgresql(session):
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
            )
        )
