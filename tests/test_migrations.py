"""Migrations are the only way the schema is made outside tests: they must match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from networkfest import create_app
from networkfest.extensions import db


def test_upgrade_builds_exactly_the_models_schema(scratch_database_url: str) -> None:
    url = scratch_database_url
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
