"""Helpers for the notification tests that run work in other instances of the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from networkfest.extensions import db


def run_in(app: Flask, work: Callable[[], Any]) -> Any:
    """Run `work` in `app`, with the test's own transaction out of the way."""
    db.session.rollback()
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()
