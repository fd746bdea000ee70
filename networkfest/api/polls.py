"""`GET /api/v1/sessions/<slug>/polls`: the room's polls, with the counts the caller may see."""

from __future__ import annotations

from flask import Response

from networkfest.api.blueprint import bp, json_response
from networkfest.api.questions import add_room_listing, room_viewer
from networkfest.api.spec import add_schemas
from networkfest.authz import PUBLIC, require_json
from networkfest.extensions import db
from networkfest.polls import services as polls


@bp.get("/sessions/<slug>/polls")
@require_json(PUBLIC)
def session_polls(slug: str) -> Response:
    """Opened and closed polls for anyone (counts once they are public); hosts and organisers
    also get the prepared polls and every count."""
    festival_session, viewer = room_viewer(slug)
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

add_room_listing(
    "polls",
    "Poll",
    summary="A session's polls, as the caller may see them",
    description=(
        "Opened and closed polls for everyone, with their counts once they are public "
        "(live results while open, every poll once closed); the session's hosts and "
        "organisers also get prepared polls not yet opened, and every count."
    ),
    listed="The polls, oldest first.",
    operation_id="listSessionPolls",
)
