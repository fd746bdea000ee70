"""The `networkfest` command: a Flask CLI group, so `flask --app networkfest` works too."""

from __future__ import annotations

import json
import os
from typing import TextIO

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, routes_command, shell_command, with_appcontext

from networkfest import create_app
from networkfest.extensions import db, socketio
from networkfest.portability import ImportRefused, export_festival, import_festival


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def run_command(host: str, port: int) -> None:
    """Serve the festival (one process; for many, see docs/deploy.md)."""
    serve(click.get_current_context().ensure_object(ScriptInfo).load_app(), host, port)


def serve(app: Flask, host: str, port: int) -> None:
    """Serve without holding an app context open for the server's lifetime."""
    # Flask refuses app.run() under its CLI; this command is that server, on purpose.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    click.echo(f"Networkfest is serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


@click.command("export")
@click.argument("file", type=click.File("w"), default="-")
@click.option(
    "--with-password-hashes",
    is_flag=True,
    help="Include password hashes (keep the file as safe as the database).",
)
@with_appcontext
def export_command(file: TextIO, with_password_hashes: bool) -> None:
    """Write the whole festival as one JSON document (default: standard output)."""
    document = export_festival(db.session, include_password_hashes=with_password_hashes)
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


main = FlaskGroup(
    create_app=create_app,
    add_default_commands=False,
    help="Run and manage a Networkfest festival.",
)
main.add_command(run_command)
main.add_command(routes_command)
main.add_command(shell_command)
