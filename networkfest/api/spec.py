"""Registry of OpenAPI fragments: each API module adds its paths and schemas at import time."""

from __future__ import annotations

from typing import Any

PATHS: dict[str, dict[str, Any]] = {}
SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
}


def error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_path(path: str, operations: dict[str, Any]) -> None:
    PATHS.setdefault(path, {}).update(operations)


def add_schemas(schemas: dict[str, dict[str, Any]]) -> None:
    SCHEMAS.update(schemas)
