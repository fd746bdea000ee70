"""The `networkfest` command: a Flask CLI group, so `flask --app networkfest` works too."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo, routes_command, shell_command

from networkfest import create_app
from networkfest.serving import refuse_unsafe_settings, serve, serve_at


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def run_command(host: str, port: int) -> None:
    """Serve the festival (one process; for many, see docs/deploy.md)."""
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    refuse_unsafe_settings(app)
    serve_at(app, host, port)
    serve(app, host, port)


main = FlaskGroup(
    create_app=create_app,
    add_default_commands=False,
    help="Run and manage a Networkfest festival.",
)
main.add_command(run_command)
main.add_command(routes_command)
main.add_command(shell_command)
