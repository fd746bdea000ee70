"""The slices' commands, assembled onto an app's CLI (so `flask --app networkfest` has them)."""

from __future__ import annotations

import json
from typing import TextIO

import click
from flask import Flask
from flask.cli import with_appcontext

from networkfest.accounts.cli import user
from networkfest.demo.cli import demo
from networkfest.extensions import db
from networkfest.portability import ImportRefused, export_festival, import_festival
from networkfest.programme.cli import schedule


@click.command("export")
@click.argument("file", type=click.File("w"), default="-")
@click.option(
    "--with-secrets",
    is_flag=True,
    help=(
        "Also write every secret: password hashes, calendar-feed addresses, security stamps, "
        "API token hashes and sign-ins (keep the file as safe as the database)."
    ),
)
@with_appcontext
def export_command(file: TextIO, with_secrets: bool) -> None:
    """Write the whole festival as one JSON document (default: standard output).

    Without --with-secrets no secret is written: after an import everyone gets a new
    calendar-feed address, sets a new password and makes new API tokens."""
    document = export_festival(db.session, include_secrets=with_secrets)
    json.dump(document, file, indent=1, sort_keys=True)
    file.write("\n")
    rows = sum(len(rows) for rows in document["tables"].values())
    click.echo(f"Exported {rows} rows from {len(document['tables'])} tables.", err=True)


@click.command("import")
@click.argument("file", type=click.File("r"))
@with_appcontext
def import_command(file: TextIO) -> None:
    """Restore an export into an empty, migrated database."""
    try:
        document = json.load(file)
        counts = import_festival(db.session, document)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"That file is not JSON: {error}") from error
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables.")


def register(app: Flask) -> None:
    for command in (schedule, demo, user, export_command, import_command):
        app.cli.add_command(command)
