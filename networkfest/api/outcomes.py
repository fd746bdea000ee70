"""`GET`/`PUT /api/v1/sessions/<slug>/outcomes`: a session's outcomes, and writing them."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask_login import current_user

from networkfest import context, jobs
from networkfest.api.blueprint import bp, fail, json_body, json_response, not_found
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import HOST_OF_SESSION, PUBLIC, require_json
from networkfest.extensions import db
from networkfest.outcomes import services
from networkfest.outcomes.rules import (
    MAX_LINKS,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
    OutcomesInvalid,
)
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_by_slug

REFUSAL_STATUS = {"forbidden": 403}


def _session(slug: str) -> FestivalSession:
    festival_session = session_by_slug(db.session, slug)
    if festival_session is None:
        not_found("session")
    return festival_session


@bp.get("/sessions/<slug>/outcomes")
@require_json(PUBLIC)
def session_outcomes(slug: str) -> Response:
    """Public, as the session page is; a 404 until the hosts have written them."""
    festival_session = _session(slug)
    outcome = services.outcome_of(db.session, festival_session.id)
    if outcome is None:
        fail(404, "not_found", "This session's hosts have not written its outcomes yet.")
    return json_response(services.as_json(outcome))


@bp.put("/sessions/<slug>/outcomes")
@require_json(HOST_OF_SESSION, services.FORBIDDEN)
def write_outcomes(slug: str) -> Response:
    """Replace the outcomes (the whole of them); the server checks who, when and what."""
    festival_session = _session(slug)
    body = json_body()
    try:
        outcome = services.save(
            db.session,
            festival_session,
            current_user._get_current_object(),
            body.get("summary"),
            body.get("links"),
            context.now(),
        )
    except services.OutcomesRefused as refused:
        db.session.rollback()
        fail(REFUSAL_STATUS.get(refused.code, 409), refused.code, refused.message)
    except OutcomesInvalid as invalid:
        db.session.rollback()
        return json_response(
            {
                "error": {
                    "code": "invalid",
                    "message": " ".join(invalid.problems),
                    "problems": invalid.problems,
                }
            },
            422,
        )
    payload = services.as_json(outcome)
    # Written after the end, the mail is due now: run the jobs rather than wait for them.
    jobs.wake(current_app._get_current_object())  # type: ignore[attr-defined]
    return json_response(payload)


LINK: dict[str, Any] = {
    "type": "object",
    "required": ["title", "url"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE_LENGTH},
        "url": {
            "type": "string",
            "maxLength": MAX_URL_LENGTH,
            "description": "An http:// or https:// address.",
        },
    },
}

add_schemas(
    {
        "OutcomeLink": LINK,
        "Outcomes": {
            "type": "object",
            "required": ["summary", "links", "updated_at"],
            "properties": {
                "summary": {
                    "type": "string",
                    "maxLength": MAX_SUMMARY_LENGTH,
                    "description": "Markdown, as the hosts wrote it; pages show it sanitised.",
                },
                "links": {
                    "type": "array",
                    "maxItems": MAX_LINKS,
                    "items": {"$ref": "#/components/schemas/OutcomeLink"},
                },
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
        "OutcomesInput": {
            "type": "object",
            "properties": {
                "summary": {
                    "type": "string",
                    "maxLength": MAX_SUMMARY_LENGTH,
                    "description": "Markdown; may be empty only when there are links.",
                },
                "links": {
                    "type": "array",
                    "maxItems": MAX_LINKS,
                    "items": {"$ref": "#/components/schemas/OutcomeLink"},
                },
            },
        },
        "OutcomesError": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "problems"],
                    "properties": {
                        "code": {"type": "string", "enum": ["invalid"]},
                        "message": {"type": "string"},
                        "problems": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "Every problem with the outcomes sent, at once.",
                        },
                    },
                }
            },
        },
    }
)

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
OUTCOMES = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcomes"}}}}

add_path(
    "/sessions/{slug}/outcomes",
    {
        "parameters": [SLUG],
        "get": {
            "summary": "A session's outcomes, once its hosts have written them",
            "operationId": "getSessionOutcomes",
            "tags": ["outcomes"],
            "responses": {
                "200": {"description": "The outcomes as last written.", **OUTCOMES},
                "401": error_response("The bearer token is not valid."),
                "404": error_response("No session with that slug, or no outcomes yet."),
            },
        },
        "put": {
            "summary": "Write a session's outcomes (its hosts and the organisers)",
            "description": (
                "Replaces the summary and links. Open from the start of the run sheet's last "
                "item (the start, for a session without an agenda) until 48 hours after the "
                "end; never for a cancelled session. Everyone who was in the room is mailed "
                "once after the end; later changes show on the session's page only."
            ),
            "operationId": "putSessionOutcomes",
            "tags": ["outcomes"],
            "security": [{"bearer": []}, {"cookie": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/OutcomesInput"}}
                },
            },
            "responses": {
                "200": {"description": "The outcomes as saved.", **OUTCOMES},
                "400": error_response("The body is not a JSON object."),
                "401": error_response("Not signed in, or the token is not valid."),
                "403": error_response("Not one of this session's hosts or an organiser."),
                "404": error_response("No session with that slug."),
                "409": error_response(
                    "Not open for writing: code `not_yet` (before the last item), `closed` "
                    "(48 hours after the end) or `cancelled`."
                ),
                "422": {
                    "description": "The outcomes break the limits: every problem at once.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/OutcomesError"}
                        }
                    },
                },
            },
        },
    },
)
