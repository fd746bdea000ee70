"""`GET /api/v1/sessions/<slug>/questions`: the room's questions as the caller may see them."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from networkfest.api.blueprint import bp, json_response, not_found
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import PUBLIC, require_json
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_by_slug
from networkfest.qa import services as qa
from networkfest.qa.rules import Viewer


def room_viewer(slug: str) -> tuple[FestivalSession, Viewer]:
    """The session a listing of its room is about, and the caller as the room's rules see
    them (a visitor, an attendee, a host, an organiser); 404 for no such session."""
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        not_found("session")
    user = current_user if current_user.is_authenticated else None
    return festival_session, qa.viewer_for(db.session, festival_session, user)


@bp.get("/sessions/<slug>/questions")
@require_json(PUBLIC)
def session_questions(slug: str) -> Response:
    """Public questions for anyone; hosts and organisers get pending and hidden ones too."""
    festival_session, viewer = room_viewer(slug)
    return json_response({"questions": qa.snapshot(db.session, festival_session, viewer)})


def add_room_listing(
    things: str, schema: str, *, summary: str, description: str, listed: str, operation_id: str
) -> None:
    """Describe `GET /sessions/{slug}/<things>`: `{"<things>": [<schema>, ...]}`, a room's
    things as the caller may see them."""
    add_path(
        f"/sessions/{{slug}}/{things}",
        {
            "get": {
                "summary": summary,
                "description": description,
                "operationId": operation_id,
                "tags": [things],
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": listed,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": [things],
                                    "properties": {
                                        things: {
                                            "type": "array",
                                            "items": {"$ref": f"#/components/schemas/{schema}"},
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

add_room_listing(
    "questions",
    "Question",
    summary="A session's questions, as the caller may see them",
    description=(
        "Visible and answered questions for everyone; the caller's own pending "
        "questions; pending and hidden ones for the session's hosts and organisers. "
        "Pinned first, then by votes, then oldest first."
    ),
    listed="The questions.",
    operation_id="listSessionQuestions",
)
