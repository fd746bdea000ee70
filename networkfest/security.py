"""Security headers and the origins the live room accepts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

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


def allowed_origins(app: Flask) -> list[str]:
    """The public origin, plus localhost when developing or testing."""
    parts = urlsplit(app.config["BASE_URL"])
    origins = [f"{parts.scheme}://{parts.netloc}"]
    if app.debug or app.testing or parts.hostname in {"127.0.0.1", "localhost"}:
        port = f":{parts.port}" if parts.port else ""
        for host in ("127.0.0.1", "localhost"):
            origins.append(f"http://{host}{port}")
    return sorted(set(origins))


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    if urlsplit(app.config["BASE_URL"]).scheme == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
