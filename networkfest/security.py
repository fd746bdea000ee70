"""Security headers, the origins the live room accepts, and input no database can store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest, NotFound

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Sent on every response that does not set its own; HSTS is added over HTTPS only.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def missing_headers(present: Iterable[str], secure: bool) -> list[tuple[str, str]]:
    """The security headers a response lacks, given the names it already has."""
    have = {name.lower() for name in present}
    wanted = (*SECURITY_HEADERS, HSTS) if secure else SECURITY_HEADERS
    return [(name, value) for name, value in wanted if name.lower() not in have]


def allowed_origins(app: Flask) -> list[str]:
    """The public origin, plus localhost when developing or testing."""
    parts = urlsplit(app.config["BASE_URL"])
    origins = [f"{parts.scheme}://{parts.netloc}"]
    if app.debug or app.testing or parts.hostname in {"127.0.0.1", "localhost"}:
        port = f":{parts.port}" if parts.port else ""
        for host in ("127.0.0.1", "localhost"):
            origins.append(f"http://{host}{port}")
    return sorted(set(origins))


def origin_check(app: Flask) -> Callable[[str | None], bool]:
    """Engine.IO's check of a browser's Origin at the handshake, against the app's address as
    it is then: a server given its address after the app was built (`networkfest demo
    --port`) accepts it. Engine.IO also asks it, with None, for a request without an Origin
    (a client that is not a browser), which it lets through and sends no CORS headers."""
    return lambda origin: origin is not None and origin.rstrip("/") in allowed_origins(app)


NUL_REFUSED = "That request contains a character that cannot be stored (a NUL byte)."


def has_nul(value: Any) -> bool:
    """True if a NUL character hides anywhere in the value: PostgreSQL refuses to store one."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(item) for item in value)
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        """Refused at the door rather than as a database error deep inside a handler.

        No page or object has a NUL in its name, so such a path is a 404; a NUL in a query
        or a form field is a 400 that says why.
        """
        if has_nul(request.path):
            raise NotFound()
        fields = [*request.args.items(multi=True)]
        # Without a Content-Type there is no form to parse (werkzeug's own rule), so reads
        # such as feeds and pages skip building an empty one.
        if request.want_form_data_parsed:
            fields += request.form.items(multi=True)
        if any(has_nul(key) or has_nul(value) for key, value in fields):
            refusal = BadRequest(NUL_REFUSED)
            refusal.networkfest_message = NUL_REFUSED  # type: ignore[attr-defined]
            raise refusal

    @app.after_request
    def _headers(response: Response) -> Response:
        # One pass over the response's headers instead of a lookup per security header.
        response.headers.extend(missing_headers(response.headers.keys(), request.is_secure))
        return response

    if urlsplit(app.config["BASE_URL"]).scheme == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
