"""The read-only programme API: `GET /api/v1/sessions` and `GET /api/v1/sessions/<slug>`."""

from __future__ import annotations

from typing import Any

from flask import Response

from networkfest import pagecache
from networkfest.api.blueprint import bp, json_response, not_found
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import PUBLIC, require_json
from networkfest.extensions import db
from networkfest.formatting import iso
from networkfest.programme.models import FestivalSession
from networkfest.programme.published import published_programme
from networkfest.programme.queries import current_festival, festival_sessions, session_by_slug


def session_json(festival_session: FestivalSession) -> dict[str, Any]:
    """A session as the public API fixes it (docs/architecture.md); the agenda and
    registration APIs embed the same object."""
    fs = festival_session
    return {
        "slug": fs.slug,
        "title": fs.title,
        "theme": fs.theme.slug,
        "format": fs.format,
        "purpose": fs.purpose,
        "starts_at": iso(fs.starts_at),
        "ends_at": iso(fs.ends_at),
        "capacity": fs.capacity,
        "places_left": fs.places_left,
        "hosts": [host.name for host in fs.hosts],
        "qa": fs.qa_mode,
        "status": fs.status,
        "version": fs.version,
    }


@bp.get("/sessions")
@require_json(PUBLIC)
def list_sessions() -> Response:
    programme = published_programme(db.session)
    if programme is None:
        return json_response({"sessions": []})
    # The same for everyone until the programme, a seat count or a host's name changes.
    key = ("api-sessions", programme.fingerprint)
    body = pagecache.kept(key)
    if body is None:
        festival = current_festival(db.session)
        sessions = festival_sessions(db.session, festival) if festival is not None else []
        body = json_response({"sessions": [session_json(fs) for fs in sessions]}).get_data()
        pagecache.keep(key, body)
    return Response(body, mimetype="application/json")


@bp.get("/sessions/<slug>")
@require_json(PUBLIC)
def get_session(slug: str) -> Response:
    fs = session_by_slug(db.session, slug)
    if fs is None:
        not_found("session")
    return json_response(session_json(fs))


SESSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "slug",
        "title",
        "theme",
        "format",
        "purpose",
        "starts_at",
        "ends_at",
        "capacity",
        "places_left",
        "hosts",
        "qa",
        "status",
        "version",
    ],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "theme": {"type": "string", "description": "The theme's slug."},
        "format": {"type": "string", "enum": ["talk", "peer-circle", "workshop", "panel"]},
        "purpose": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "integer", "nullable": True, "description": "null: no limit."},
        "places_left": {"type": "integer", "nullable": True, "description": "null: no limit."},
        "hosts": {"type": "array", "items": {"type": "string"}, "description": "Display names."},
        "qa": {"type": "string", "enum": ["open", "moderated", "off"]},
        "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
        "version": {
            "type": "integer",
            "description": "The schedule version that last changed this session.",
        },
    },
}

add_schemas({"Session": SESSION_SCHEMA})
add_path(
    "/sessions",
    {
        "get": {
            "summary": "Every session of the festival, cancelled ones included",
            "operationId": "listSessions",
            "tags": ["programme"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The sessions in start order.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["sessions"],
                                "properties": {
                                    "sessions": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Session"},
                                    }
                                },
                            }
                        }
                    },
                },
                "401": error_response("A bearer token was sent and it is not valid."),
            },
        }
    },
)
add_path(
    "/sessions/{slug}",
    {
        "get": {
            "summary": "One session",
            "operationId": "getSession",
            "tags": ["programme"],
            "security": [],
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The session.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Session"}}
                    },
                },
                "401": error_response("A bearer token was sent and it is not valid."),
                "404": error_response("No session with that slug."),
            },
        }
    },
)
