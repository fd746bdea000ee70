"""Friendly error pages for people, JSON errors for the API; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from networkfest.database import (
    BUSY_MESSAGE,
    RETRY_AFTER_S,
    report_saturation,
    start_answering,
    stop_answering,
)
from networkfest.extensions import db, login_manager

log = logging.getLogger(__name__)

CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(status: int, message: str, code: str | None = None) -> tuple[Response, int]:
    """One error shape for the API (docs/architecture.md) and one page template for people."""
    code = code or CODES.get(status, "error")
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return Response(
        render_template("errors/error.html", status=status, message=message),
        status=status,
        mimetype="text/html",
    ), status


MESSAGES = {
    400: "Something in that request was not right. Please go back and try again.",
    401: "Please sign in to do that.",
    403: "You do not have permission to do that.",
    404: "We could not find that page. It may have moved, or the address may be mistyped.",
    405: "That action is not available here.",
    413: "That was too large to accept. Requests are limited to 1 MB.",
    429: "Too many attempts. Please wait a minute and try again.",
    503: "The festival is briefly unavailable. Please try again in a moment.",
}


def init_app(app: Flask) -> None:
    @app.before_request
    def _answering() -> None:
        """Someone waits on this request: a database connection within the pool timeout, or
        503 with `Retry-After` (`_saturated`)."""
        g.networkfest_answering = start_answering()

    @app.teardown_request
    def _answered(_error: BaseException | None) -> None:
        token = g.pop("networkfest_answering", None)
        if token is not None:
            stop_answering(token)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[Response, int]:
        return error_response(
            400,
            "This form has expired or did not come from this site. "
            "Please reload the page and try again.",
            "csrf",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        if status >= 500:
            return _server_error(error)
        description = MESSAGES.get(status, error.description or "")
        if getattr(error, "networkfest_message", None):
            description = error.networkfest_message  # type: ignore[attr-defined]
        return error_response(status, description)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database(error: Exception) -> tuple[Response, int]:
        log.warning("database unavailable: %s", error.__class__.__name__)
        db.session.rollback()
        return error_response(503, MESSAGES[503])

    @app.errorhandler(PoolTimeout)
    def _saturated(error: PoolTimeout) -> tuple[Response, int]:
        """Every pooled connection stayed taken for the pool timeout: say so at once, and
        when to try again, rather than queue the person (logged once per interval)."""
        db.session.rollback()
        report_saturation(f"{request.method} {request.path} answered 503", db.engine)
        # The page renders without a connection: no festival in its header, and the person
        # only if the request had loaded them already (else it would wait for the pool again).
        g.setdefault("festival", None)
        if "_login_user" not in g:
            g._login_user = login_manager.anonymous_user()
        response, status = error_response(503, BUSY_MESSAGE, "busy")
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("unhandled error")
        return _server_error(InternalServerError())

    def _server_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        return error_response(
            status,
            MESSAGES.get(status, "Something went wrong on our side. We have logged it."),
        )
