"""`GET /api/v1/me`: who the caller is, and where their private calendar feed lives;
`DELETE /api/v1/me/token`: an API client signs out."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from networkfest.accounts import services as accounts
from networkfest.api.blueprint import bp, fail, json_response
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import SIGNED_IN, is_organiser, require_json
from networkfest.extensions import db
from networkfest.links import absolute


@bp.get("/me")
@require_json(SIGNED_IN)
def me() -> Response:
    user = current_user
    return json_response(
        {
            "name": user.name,
            "email": user.email,
            "organiser": is_organiser(user),
            "calendar_url": absolute("feeds.personal_ics", token=user.calendar_token),
            "organisation": user.organisation,
            "role": user.role,
        }
    )


@bp.delete("/me/token")
@require_json(SIGNED_IN)
def revoke_this_token() -> Response:
    """Revoke the token that authenticates this request: it stops working at once, and live
    connections opened with it close."""
    user = current_user._get_current_object()
    if user.api_token_id is None:
        fail(400, "invalid", "This request is not authenticated by a personal API token.")
    accounts.revoke_api_token(db.session, user, user.api_token_id)
    return Response(status=204)


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
                "organisation": {
                    "type": "string",
                    "maxLength": 120,
                    "description": "Optional (empty when not given); peers see it.",
                },
                "role": {
                    "type": "string",
                    "maxLength": 120,
                    "description": "Optional (empty when not given); peers see it.",
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
add_path(
    "/me/token",
    {
        "delete": {
            "operationId": "revokeThisToken",
            "summary": "Revoke the personal token that authenticates this request (sign out)",
            "tags": ["me"],
            "security": [{"bearer": []}],
            "responses": {
                "204": {"description": "Revoked; live connections opened with it are closed"},
                "400": error_response("The request is not authenticated by a token"),
                "401": error_response("Not signed in, or the token is not valid"),
            },
        }
    },
)
