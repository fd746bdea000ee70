"""`GET /api/v1/sessions/<slug>/peers`: the others from a session who chose to stay in
touch, for a caller who chose it too; a 403 for anyone else (hosts and organisers too)."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from networkfest.api.blueprint import bp, fail, json_response, not_found
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import SIGNED_IN, require_json
from networkfest.extensions import db
from networkfest.peers import services as peers
from networkfest.peers.rules import WHO_SEES
from networkfest.programme.queries import session_by_slug


@bp.get("/sessions/<slug>/peers")
@require_json(SIGNED_IN)
def session_peers(slug: str) -> Response:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        not_found("session")
    listed = peers.peers_for(db.session, festival_session.id, current_user.id)
    if listed is None:
        fail(403, "forbidden", WHO_SEES)
    response = json_response(
        {
            "peers": [
                {"name": peer.name, "organisation": peer.organisation, "email": peer.email}
                for peer in listed
            ]
        }
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


add_schemas(
    {
        "Peer": {
            "type": "object",
            "required": ["name", "organisation", "email"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "organisation": {
                    "type": "string",
                    "maxLength": 120,
                    "description": "Empty when the person gave none.",
                },
                "email": {"type": "string", "format": "email"},
            },
        }
    }
)

add_path(
    "/sessions/{slug}/peers",
    {
        "get": {
            "summary": "The others from a session who chose to stay in touch",
            "description": (
                "Only for a caller who chose to stay in touch with the others from this "
                "session: the others who chose it too, by name. Anyone else (hosts and "
                "organisers included) gets 403. A person who stops sharing leaves the list "
                "at once."
            ),
            "operationId": "listSessionPeers",
            "tags": ["peers"],
            "security": [{"bearer": []}, {"cookie": []}],
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The others who chose to stay in touch, by name.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["peers"],
                                "properties": {
                                    "peers": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Peer"},
                                    }
                                },
                            }
                        }
                    },
                },
                "401": error_response("Not signed in, or the token is not valid."),
                "403": error_response("The caller has not chosen to stay in touch."),
                "404": error_response("No session with that slug."),
            },
        }
    },
)
