"""The JSON API's blueprint: one error shape, auth by session or bearer token, CSRF for cookies."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, make_response, request
from flask_login import current_user

from networkfest.authz import bearer_token
from networkfest.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def fail(status: int, code: str, message: str) -> NoReturn:
    raise ApiError(status, code, message)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    return jsonify({"error": {"code": error.code, "message": error.message}}), error.status


@bp.before_request
def _csrf_for_cookie_writes() -> None:
    """Browser sessions must send the CSRF token on writes; bearer-token clients need not."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if bearer_token(request) is not None:
        if not current_user.is_authenticated:
            fail(401, "unauthenticated", "That API token is not valid.")
        return
    if not current_user.is_authenticated:
        fail(401, "unauthenticated", "Sign in, or send a personal token as a Bearer token.")
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, or a 400 the client can act on."""
    if not request.content_length and not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        fail(400, "invalid", "The request body must be a JSON object.")
    return data


def not_found(what: str) -> NoReturn:
    fail(404, "not_found", f"No {what} with that name.")


def json_response(payload: dict[str, Any], status: int = 200) -> Response:
    return make_response(jsonify(payload), status)


__all__ = ["ApiError", "abort", "bp", "fail", "json_body", "json_response"]
