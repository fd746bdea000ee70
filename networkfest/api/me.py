"""`GET /api/v1/me`: who the caller is, and where their private calendar feed lives."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from networkfest.api.blueprint import bp, json_response
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import SIGNED_IN, require_json
from networkfest.links import absolute


@bp.get("/me")
@require_json(SIGNED_IN)
def me() -> Response:
    user = current_user
    return json_response(
        {
            "name": user.name,
            "email": user.email,
            "organiser": user.organiser,
            "calendar_url": absolute("feeds.personal_ics", token=user.calendar_token),
        }
    )


add_schemas(
    {
        "Me": {
            "type": "object",
            "required": ["name", "email", "organiser", "calendar_url"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "organiser": {"type": "boolean"},
                "calendar_url": {
                    "type": "string",
                    "format": "uri",
                    "description": "The caller's private iCalendar feed; keep it secret.",
                },
            },
        }
    }
)
add_path(
    "/me",
    {
        "get": {
            "operationId": "getMe",
            "summary": "The signed-in person",
            "tags": ["me"],
            "security": [{"bearer": []}, {"cookie": []}],
            "responses": {
                "200": {
                    "description": "The caller's account",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Me"}}
                    },
                },
                "401": error_response("Not signed in, or the token is not valid"),
            },
        }
    },
)
