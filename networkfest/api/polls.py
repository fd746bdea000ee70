"""`GET /api/v1/sessions/<slug>/polls`: the room's polls, with the counts the caller may see."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from networkfest.api.blueprint import bp, json_response, not_found
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import PUBLIC, require_json
from networkfest.extensions import db
from networkfest.polls import services as polls
from networkfest.programme.queries import session_by_slug
from networkfest.qa import services as qa


@bp.get("/sessions/<slug>/polls")
@require_json(PUBLIC)
def session_polls(slug: str) -> Response:
    """Opened and closed polls for anyone (counts once they are public); hosts and organisers
    also get the prepared polls and every count."""
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        not_found("session")
    user = current_user if current_user.is_authenticated else None
    viewer = qa.viewer_for(db.session, festival_session, user)
    return json_response({"polls": polls.session_polls(db.session, festival_session, viewer)})


add_schemas(
    {
        "Poll": {
            "type": "object",
            "required": [
                "id",
                "session",
                "question",
                "options",
                "multiple",
                "results",
                "status",
                "total",
            ],
            "properties": {
                "id": {"type": "integer"},
                "session": {"type": "string", "description": "The session's slug."},
                "question": {"type": "string", "maxLength": 200},
                "options": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "required": ["id", "text", "votes"],
                        "properties": {
                            "id": {"type": "integer", "minimum": 1},
                            "text": {"type": "string", "maxLength": 100},
                            "votes": {
                                "type": ["integer", "null"],
                                "minimum": 0,
                                "description": "Null while the results are hidden.",
                            },
                        },
                    },
                },
                "multiple": {"type": "boolean"},
                "results": {
                    "type": "string",
                    "enum": ["live", "closed"],
                    "description": "Counts shown as answers come in, or once it closes.",
                },
                "status": {"type": "string", "enum": ["ready", "open", "closed"]},
                "total": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "How many people answered.",
                },
            },
        }
    }
)

add_path(
    "/sessions/{slug}/polls",
    {
        "get": {
            "summary": "A session's polls, as the caller may see them",
            "description": (
                "Opened and closed polls for everyone, with their counts once they are public "
                "(live results while open, every poll once closed); the session's hosts and "
                "organisers also get prepared polls not yet opened, and every count."
            ),
            "operationId": "listSessionPolls",
            "tags": ["polls"],
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The polls, oldest first.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["polls"],
                                "properties": {
                                    "polls": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Poll"},
                                    }
                                },
                            }
                        }
                    },
                },
                "401": error_response("The bearer token is not valid."),
                "404": error_response("No session with that slug."),
            },
        }
    },
)
