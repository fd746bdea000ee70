"""`GET /api/v1/sessions/<slug>/questions`: the room's questions as the caller may see them."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from networkfest.api.blueprint import bp, json_response, not_found
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import PUBLIC, require_json
from networkfest.extensions import db
from networkfest.programme.queries import session_by_slug
from networkfest.qa import services as qa


@bp.get("/sessions/<slug>/questions")
@require_json(PUBLIC)
def session_questions(slug: str) -> Response:
    """Public questions for anyone; hosts and organisers get pending and hidden ones too."""
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        not_found("session")
    user = current_user if current_user.is_authenticated else None
    viewer = qa.viewer_for(db.session, festival_session, user)
    return json_response({"questions": qa.snapshot(db.session, festival_session, viewer)})


add_schemas(
    {
        "Question": {
            "type": "object",
            "required": ["id", "session", "text", "author", "votes", "status", "pinned"],
            "properties": {
                "id": {"type": "integer"},
                "session": {"type": "string", "description": "The session's slug."},
                "text": {"type": "string", "maxLength": 500},
                "author": {
                    "type": ["string", "null"],
                    "description": "Display name; null when asked anonymously.",
                },
                "votes": {"type": "integer", "minimum": 0},
                "status": {"type": "string", "enum": ["pending", "visible", "answered", "hidden"]},
                "pinned": {"type": "boolean"},
                "created_at": {"type": "integer", "description": "Epoch milliseconds (UTC)."},
                "asked_by": {
                    "type": ["string", "null"],
                    "description": "Who asked an anonymous question: only for organisers.",
                },
            },
        }
    }
)

add_path(
    "/sessions/{slug}/questions",
    {
        "get": {
            "summary": "A session's questions, as the caller may see them",
            "description": (
                "Visible and answered questions for everyone; the caller's own pending "
                "questions; pending and hidden ones for the session's hosts and organisers. "
                "Pinned first, then by votes, then oldest first."
            ),
            "operationId": "listSessionQuestions",
            "tags": ["questions"],
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The questions.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["questions"],
                                "properties": {
                                    "questions": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Question"},
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
