"""Migrations are the only way the schema is made outside tests: they must match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from networkfest import create_app
from networkfest.extensions import db


def _fresh_url(suite_database_url: str | None, tmp_path: Path, worker_id: str) -> str:
    if suite_database_url is None:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    url = make_url(suite_database_url)
    name = f"networkfest_migrate_{worker_id}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def test_upgrade_builds_exactly_the_models_schema(
    suite_database_url: str | None, tmp_path: Path, worker_id: str
) -> None:
    url = _fresh_url(suite_database_url, tmp_path, worker_id)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    assert differences == []
