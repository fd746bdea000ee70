"""Serving one process from the command line (`networkfest run`, `networkfest demo`)."""

from __future__ import annotations

import os

import click
from flask import Flask

from networkfest.extensions import socketio


def serve(app: Flask, host: str, port: int) -> None:
    """Serve without holding an app context open for the server's lifetime."""
    # Flask refuses app.run() under its CLI; this command is that server, on purpose.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    click.echo(f"Networkfest is serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
