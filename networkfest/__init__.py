"""Networkfest: a festival of peer-learning sessions that run to time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from networkfest.config import BASE_SETTINGS, PROJECT_ROOT, settings_from_environment
from networkfest.web import init_app

__all__ = ["PROJECT_ROOT", "create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, namespaces, CLI; nothing else."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(BASE_SETTINGS)
    app.config.update(settings_from_environment(app.instance_path))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("no secret key: set NETWORKFEST_SECRET_KEY (tests pass SECRET_KEY)")
    init_app(app)
    return app
