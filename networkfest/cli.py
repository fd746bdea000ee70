"""The `networkfest` command: a Flask CLI group, so `flask --app networkfest` works too."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo, routes_command, shell_command

from networkfest import create_app
from networkfest.extensions import socketio


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


main = FlaskGroup(
    create_app=create_app,
    add_default_commands=False,
    help="Run and manage a Networkfest festival.",
)
main.add_command(run_command)
main.add_command(routes_command)
main.add_command(shell_command)
