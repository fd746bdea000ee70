"""Serving one process from the command line (`networkfest run`, `networkfest demo`)."""

from __future__ import annotations

import os

import click
from flask import Flask

from networkfest.config import ENV_PREFIX, production_problems
from networkfest.extensions import socketio


def refuse_unsafe_settings(app: Flask) -> None:
    """Production refuses to serve with settings that would expose a festival: a clear
    message and exit 1 (NETWORKFEST_ENV=development, tests and the demo are exempt)."""
    problems = production_problems(app.config)
    if not problems:
        return
    click.echo("Networkfest will not serve with these settings:", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    click.echo("For a festival on your own machine, set NETWORKFEST_ENV=development.", err=True)
    raise SystemExit(1)


# Listening on every interface says nothing of the name people use: this machine's own.
_EVERY_INTERFACE = {"", "0.0.0.0", "::"}


def serve_at(app: Flask, host: str, port: int) -> str:
    """The address people reach this server at, which links in mails and feeds and the live
    room's accepted origin follow: NETWORKFEST_BASE_URL when it is set, else the host and
    port it serves on (so `--port 5077` needs nothing more)."""
    if not os.environ.get(f"{ENV_PREFIX}BASE_URL"):
        name = "127.0.0.1" if host in _EVERY_INTERFACE else host
        app.config["BASE_URL"] = (
            f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"
        )
    return str(app.config["BASE_URL"])


def serve(app: Flask, host: str, port: int) -> None:
    """Serve without holding an app context open for the server's lifetime."""
    # Flask refuses app.run() under its CLI; this command is that server, on purpose.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    click.echo(f"Networkfest is serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
