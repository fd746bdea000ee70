"""`GET /api/v1/me/commitments` and `POST /api/v1/me/commitments/<id>/answer`: a person's
commitments and how they went, with their OpenAPI fragments."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_login import current_user

from networkfest import context
from networkfest.api.blueprint import bp, fail, json_body, json_response
from networkfest.api.spec import add_path, add_schemas, error_response
from networkfest.authz import SIGNED_IN, require_json
from networkfest.commitments import services
from networkfest.commitments.rules import (
    ANSWERS,
    MAX_NOTE_LENGTH,
    MAX_TEXT_LENGTH,
    CommitmentRefused,
    clean_answer,
    clean_note,
)
from networkfest.extensions import db
from networkfest.formatting import iso

STATUS = {"not_found": 404, "invalid": 400, "too_long": 400}


def commitment_json(mine: services.MyCommitment) -> dict[str, Any]:
    commitment = mine.commitment
    return {
        "id": commitment.id,
        "session": mine.session.slug,
        "text": commitment.text,
        "made_at": iso(commitment.made_at),
        "follow_up_due": iso(mine.follow_up_due) if mine.follow_up_due is not None else None,
        "answer": commitment.answer,
    }


@bp.get("/me/commitments")
@require_json(SIGNED_IN)
def my_commitments() -> Response:
    mine = services.my_commitments(db.session, current_user.id)
    return json_response({"commitments": [commitment_json(c) for c in mine]})


@bp.post("/me/commitments/<int:commitment_id>/answer")
@require_json(SIGNED_IN)
def answer_commitment(commitment_id: int) -> Response:
    """The owner says how it went; answering again replaces the answer and the note."""
    data = json_body()
    try:
        services.my_commitment(db.session, commitment_id, current_user.id)
        answer = clean_answer(data.get("answer"))
        note = clean_note(data.get("note"))
        mine = services.answer_commitment(
            db.session, commitment_id, current_user.id, answer, note, context.now()
        )
    except CommitmentRefused as refusal:
        fail(STATUS.get(refusal.code, 400), refusal.code, refusal.message)
    return json_response(commitment_json(mine))


add_schemas(
    {
        "Commitment": {
            "type": "object",
            "required": ["id", "session", "text", "made_at", "follow_up_due", "answer"],
            "properties": {
                "id": {"type": "integer"},
                "session": {"type": "string", "description": "The session's slug."},
                "text": {
                    "type": "string",
                    "maxLength": MAX_TEXT_LENGTH,
                    "description": "What the person said they would do differently.",
                },
                "made_at": {"type": "string", "format": "date-time"},
                "follow_up_due": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": (
                        "When the follow-up mail is due; null when the festival sends none "
                        "or the session was cancelled."
                    ),
                },
                "answer": {
                    "type": ["string", "null"],
                    "enum": [*(str(a) for a in ANSWERS), None],
                    "description": "How it went; null until the person says.",
                },
            },
        },
        "CommitmentAnswer": {
            "type": "object",
            "required": ["answer"],
            "properties": {
                "answer": {"type": "string", "enum": [str(a) for a in ANSWERS]},
                "note": {"type": "string", "maxLength": MAX_NOTE_LENGTH},
            },
        },
    }
)

ID_PARAMETER = {
    "name": "commitment_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}

add_path(
    "/me/commitments",
    {
        "get": {
            "operationId": "listMyCommitments",
            "summary": "The caller's commitments, in the order of their sessions",
            "tags": ["me"],
            "security": [{"bearer": []}, {"cookie": []}],
            "responses": {
                "200": {
                    "description": "The commitments",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["commitments"],
                                "properties": {
                                    "commitments": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Commitment"},
                                    }
                                },
                            }
                        }
                    },
                },
                "401": error_response("Not signed in, or the token is not valid"),
            },
        }
    },
)
add_path(
    "/me/commitments/{commitment_id}/answer",
    {
        "post": {
            "operationId": "answerMyCommitment",
            "summary": "Say how a commitment went: done, partly or not yet, with a note",
            "tags": ["me"],
            "security": [{"bearer": []}, {"cookie": []}],
            "parameters": [ID_PARAMETER],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/CommitmentAnswer"}
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "The commitment with its answer",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Commitment"}}
                    },
                },
                "400": error_response("The answer or the note is not valid"),
                "401": error_response("Not signed in, or the token is not valid"),
                "404": error_response("The caller has no commitment with that id"),
            },
        }
    },
)
