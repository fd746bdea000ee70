"""The OpenAPI 3 document, assembled from the path and schema fragments each API module declares."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from networkfest.api import spec

bp = Blueprint("openapi", __name__)


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Networkfest API",
            "version": "1",
            "description": "The festival's programme, registrations, agenda and questions.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": dict(sorted(spec.SCHEMAS.items())),
        },
        "paths": dict(sorted(spec.PATHS.items())),
    }


@bp.get("/api/v1/openapi.json")
def openapi_json() -> Response:
    return jsonify(document())
