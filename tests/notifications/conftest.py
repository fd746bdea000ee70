"""Other instances of the server, for the exactly-once tests of every mail that is claimed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from networkfest import create_app
from networkfest.extensions import db


@pytest.fixture
def another_app(app: Flask, app_settings: dict[str, Any]) -> Iterator[Callable[[], Flask]]:
    """Another instance of the server on the same database, as a second process would be."""
    made: list[Flask] = []

    def _make() -> Flask:
        other = create_app(dict(app_settings, MAIL_BACKEND="memory"))
        made.append(other)
        return other

    yield _make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
