"""Registration and agenda in the JSON API, with their OpenAPI fragments."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_login import current_user

from networkfest import context
from networkfest.api import spec
from networkfest.api.blueprint import bp, fail, json_response, not_found
from networkfest.api.sessions import session_json
from networkfest.authz import SIGNED_IN, VERIFIED, require_json
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.queries import session_row_by_slug
from networkfest.registration import personal_agenda, services


def _session(slug: str) -> FestivalSession:
    """Registration reads the session's own columns only: no hosts, agenda or theme."""
    festival_session = session_row_by_slug(db.session, slug)
    if festival_session is None:
        not_found("session")
    return festival_session


@bp.post("/sessions/<slug>/registration")
@require_json(VERIFIED)
def register(slug: str) -> Response:
    try:
        result = services.register_by_slug(db.session, slug, current_user, context.now())
    except services.RegistrationRefused as refused:
        fail(409, refused.code, refused.message)
    if result is None:
        not_found("session")
    return json_response(result.as_json(), 201 if result.created else 200)


@bp.get("/sessions/<slug>/registration")
@require_json(SIGNED_IN)
def registration_state(slug: str) -> Response:
    festival_session = _session(slug)
    return json_response(services.registration_state(db.session, festival_session, current_user))


@bp.delete("/sessions/<slug>/registration")
@require_json(SIGNED_IN)
def cancel(slug: str) -> Response:
    festival_session = _session(slug)
    registration = services.find_registration(db.session, festival_session, current_user)
    try:
        cancelled = registration is not None and services.cancel_registration(
            db.session, registration, context.now()
        )
    except services.CancellationRefused as refused:
        fail(409, refused.code, refused.message)
    if not cancelled:
        fail(404, "not_found", "You have no place in this session to cancel.")
    return json_response({"status": "cancelled"})


@bp.get("/me/agenda")
@require_json(SIGNED_IN)
def agenda() -> Response:
    days = personal_agenda.my_agenda(db.session, current_user)
    return json_response(
        {
            "registrations": [
                {
                    "session": session_json(entry.session),
                    "status": entry.status,
                    "position": entry.position,
                }
                for day in days
                for entry in day.entries
            ]
        }
    )


SLUG_PARAMETER = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 80},
}
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"cookie": []}]
UNAUTHENTICATED = spec.error_response("Not signed in, or the token is not valid.")
NO_SESSION = spec.error_response("No session with that slug.")


def _state(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RegistrationState"}}
        },
    }


spec.add_schemas(
    {
        "RegistrationState": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {
                    "type": "string",
                    "enum": ["confirmed", "waitlisted", "cancelled", "none"],
                },
                "position": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Rank on the waitlist; only when waitlisted.",
                },
            },
        },
        "AgendaEntry": {
            "type": "object",
            "required": ["session", "status", "position"],
            "properties": {
                "session": {"$ref": "#/components/schemas/Session"},
                "status": {"type": "string", "enum": ["confirmed", "waitlisted"]},
                "position": {"type": "integer", "minimum": 1, "nullable": True},
            },
        },
        "Agenda": {
            "type": "object",
            "required": ["registrations"],
            "properties": {
                "registrations": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/AgendaEntry"},
                }
            },
        },
    }
)

spec.add_path(
    "/sessions/{slug}/registration",
    {
        "parameters": [SLUG_PARAMETER],
        "get": {
            "operationId": "getRegistration",
            "summary": "Your registration state in a session",
            "security": SECURITY,
            "responses": {
                "200": _state("Your state; `none` if you never registered."),
                "401": UNAUTHENTICATED,
                "404": NO_SESSION,
            },
        },
        "post": {
            "operationId": "register",
            "summary": "Register, or join the waitlist when the session is full",
            "description": "Idempotent: registering again returns the current state with 200.",
            "security": SECURITY,
            "responses": {
                "200": _state("Already registered: the current state."),
                "201": _state("Registered: confirmed, or waitlisted with a position."),
                "401": UNAUTHENTICATED,
                "404": NO_SESSION,
                "409": spec.error_response("Registration closed: code `ended` or `cancelled`."),
            },
        },
        "delete": {
            "operationId": "cancelRegistration",
            "summary": "Cancel your place; the first on the waitlist is promoted",
            "description": "Places can be cancelled until the session ends.",
            "security": SECURITY,
            "responses": {
                "200": _state("Cancelled."),
                "401": UNAUTHENTICATED,
                "404": spec.error_response("No such session, or no place of yours in it."),
                "409": spec.error_response("The session has ended: code `ended`."),
            },
        },
    },
)

spec.add_path(
    "/me/agenda",
    {
        "get": {
            "operationId": "getAgenda",
            "summary": "Your confirmed and waitlisted sessions, in start order",
            "security": SECURITY,
            "responses": {
                "200": {
                    "description": "Your agenda.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Agenda"}}
                    },
                },
                "401": UNAUTHENTICATED,
            },
        }
    },
)
