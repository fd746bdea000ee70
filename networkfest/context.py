"""What handlers ask of the running app: the current instant and the database session."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from networkfest.clock import Clock


def clock() -> Clock:
    clock_: Clock = current_app.extensions["networkfest.clock"]
    return clock_


def now() -> datetime:
    """The server's instant: the only one handlers pass down to rules and services."""
    return clock().now()
