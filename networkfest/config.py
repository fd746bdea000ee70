"""Settings, read from the environment (public names, `NETWORKFEST_*`: docs/architecture.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ENV_PREFIX = "NETWORKFEST_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_database_url(instance_path: str) -> str:
    """The embedded default: one SQLite file under `instance/`."""
    return "sqlite:///" + str(Path(instance_path) / "networkfest.sqlite3")


def settings_from_environment(instance_path: str) -> dict[str, Any]:
    """Build the Flask config from `NETWORKFEST_*` variables."""
    debug = _env_bool("DEBUG")
    testing = _env_bool("TESTING")
    secret = _env("SECRET_KEY")
    if secret is None and not (debug or testing):
        secret = _dev_secret(instance_path)
    return {
        "DEBUG": debug,
        "TESTING": testing,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL") or default_database_url(instance_path),
        "MESSAGE_QUEUE": _env("MESSAGE_QUEUE"),
        "BASE_URL": (_env("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "ASYNC_MODE": _env("ASYNC_MODE", "threading"),
        "MAIL_BACKEND": _env("MAIL_BACKEND", "console"),
        "SMTP_HOST": _env("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(_env("SMTP_PORT", "25") or 25),
        "SMTP_STARTTLS": _env_bool("SMTP_STARTTLS"),
        "SMTP_USER": _env("SMTP_USER"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "MAIL_FROM": _env("MAIL_FROM", "Networkfest <festival@localhost>"),
        "TEST_CLOCK": _env_bool("TEST_CLOCK"),
        "TICKER": _env_bool("TICKER", True),
        "REMINDER_MINUTES": int(_env("REMINDER_MINUTES", "15") or 15),
        "FANOUT_INTERVAL_MS": int(_env("FANOUT_INTERVAL_MS", "200") or 200),
        "SMTP_CA_FILE": _env("SMTP_CA_FILE"),
        # Limits are shared across processes when Redis is there, per process otherwise.
        "RATELIMIT_STORAGE_URI": _env("MESSAGE_QUEUE") or "memory://",
    }


def _dev_secret(instance_path: str) -> str:
    """A per-install secret for the zero-setup default, kept under `instance/`.

    Production sets NETWORKFEST_SECRET_KEY; a file secret keeps sign-ins valid
    across restarts of the embedded default without asking for any setup.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()


BASE_SETTINGS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1_000_000,
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Explicit: Flask-Limiter's singleton otherwise keeps `enabled` from the previous app.
    "RATELIMIT_ENABLED": True,
    "PASSWORD_TOKEN_MAX_AGE": 24 * 3600,
    "INVITE_TOKEN_MAX_AGE": 14 * 24 * 3600,
}
