"""Settings, read from the environment (public names, `NETWORKFEST_*`: docs/architecture.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from networkfest.database import CallerPool

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
    database_url = _env("DATABASE_URL") or default_database_url(instance_path)
    return {
        "DEBUG": debug,
        "TESTING": testing,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
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
        # How often a process writes the live rooms' new stays (0: with each join), and how
        # long it trusts what it remembers of a personal token (docs/deploy.md).
        "PRESENCE_FLUSH_SECONDS": _env_seconds_or_zero("PRESENCE_FLUSH_SECONDS", 1.0),
        "TOKEN_CACHE_SECONDS": _env_seconds_or_zero("TOKEN_CACHE_SECONDS", 60.0),
        "SMTP_CA_FILE": _env("SMTP_CA_FILE"),
        "ENV": _env("ENV", "production"),
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        # Limits are shared across processes when Redis is there, per process otherwise.
        "RATELIMIT_STORAGE_URI": _env("MESSAGE_QUEUE") or "memory://",
    }


# The connection pool of one process on PostgreSQL (docs/deploy.md sizes it against the
# server's `max_connections`). A gevent worker runs thousands of greenlets on these few
# connections, and a vote holds one for five round trips (qa/services.py), each waiting for
# a turn of the hub. When the process's CPU is the limit, votes queue for a connection; 40
# kept that queue under the timeout in the 2,000-voter storm on two cores, where 10 + 10 tipped
# into refusals in two runs of five (docs/benchmarks.md). All 40 are kept once opened: an
# overflow connection is closed again at its return, and in a sustained rush (registrations
# queued on one session's lock hold theirs) every request beyond the kept ones opened and
# closed one, a PostgreSQL backend started and stopped each time: 439-454 registrations a
# second with 20 + 20 against 551-576 with 40 + 0 ("The pool that opened a connection per
# request"). A live event or request that finds them all taken waits at most the timeout,
# then is refused `busy` / 503, rather than queueing for SQLAlchemy's default of 30 s
# (`database.CallerPool`).
DEFAULT_POOL_SIZE = 40
DEFAULT_MAX_OVERFLOW = 0
DEFAULT_POOL_TIMEOUT_S = 2.0


def engine_options(database_url: str) -> dict[str, Any]:
    """SQLAlchemy's engine options: the pool settings apply to PostgreSQL only (SQLite, in
    the process, keeps the pool SQLAlchemy gives it). PostgreSQL's connections are pinged
    only after sitting idle (`database.ping_idle_connections`), not at every checkout."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        options["pool_pre_ping"] = False
        options["poolclass"] = CallerPool
        options["pool_size"] = _env_count("DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, minimum=1)
        options["max_overflow"] = _env_count("DATABASE_MAX_OVERFLOW", DEFAULT_MAX_OVERFLOW)
        options["pool_timeout"] = _env_seconds("DATABASE_POOL_TIMEOUT", DEFAULT_POOL_TIMEOUT_S)
    return options


def _env_count(name: str, default: int, minimum: int = 0) -> int:
    value = _env_int(name, default)
    if value < minimum:
        raise SettingsError(f"{ENV_PREFIX}{name} must be at least {minimum}, not {value}")
    return value


def _env_seconds(name: str, default: float) -> float:
    value = _env(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise SettingsError(f"{ENV_PREFIX}{name} must be a number of seconds above 0: {value!r}")
    return seconds


def _env_seconds_or_zero(name: str, default: float) -> float:
    """Seconds, where 0 turns the thing off."""
    value = _env(name)
    return (
        0.0 if value is not None and value.strip() in {"0", "0.0"} else _env_seconds(name, default)
    )


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name} must be a whole number, not {value!r}") from None


class SettingsError(Exception):
    """Settings a festival must not run with; the message says which and what to do."""


# Values from the examples that must never reach production.
EXAMPLE_SECRETS = frozenset({"change-me", "changeme", "secret", "dev", "x"})
MIN_SECRET_LENGTH = 32


def production_problems(config: dict[str, Any]) -> list[str]:
    """What makes these settings unsafe for a public festival (empty: safe). Development
    (`NETWORKFEST_ENV=development`), tests and the demo are exempt."""
    if config.get("TESTING") or config.get("DEBUG") or config.get("ENV") == "development":
        return []
    problems = []
    secret = _env("SECRET_KEY")
    if secret is None:
        problems.append(
            f"{ENV_PREFIX}SECRET_KEY is not set: set it to a long random value, the same on "
            "every process (python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    elif secret.lower() in EXAMPLE_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"{ENV_PREFIX}SECRET_KEY is the example value or shorter than "
            f"{MIN_SECRET_LENGTH} characters: anyone could forge sign-ins. Set a long random one."
        )
    if config.get("MAIL_BACKEND") == "console":
        problems.append(
            f"{ENV_PREFIX}MAIL_BACKEND is `console`: sign-up and password links would be "
            "written to the log instead of mailed. Set it to `smtp` (docs/deploy.md)."
        )
    if config.get("TRUSTED_PROXIES", 0) > 0 and str(config.get("BASE_URL", "")).startswith(
        "http://"
    ):
        problems.append(
            f"{ENV_PREFIX}BASE_URL is http:// behind {ENV_PREFIX}TRUSTED_PROXIES: the public "
            "address must be https://, as the proxy serves it."
        )
    return problems


def _dev_secret(instance_path: str) -> str:
    """A per-install secret for the zero-setup default, kept under `instance/`.

    Production sets NETWORKFEST_SECRET_KEY; a file secret keeps sign-ins valid
    across restarts of the embedded default without asking for any setup. The file is
    created readable by its owner only from the start (not chmod-ed after writing).
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(os.urandom(32).hex())
    return path.read_text().strip()


BASE_SETTINGS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1_000_000,
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Explicit: Flask-Limiter's singleton otherwise keeps `enabled` from the previous app.
    "RATELIMIT_ENABLED": True,
    # Redis out of reach: the HTTP limits count in this process's memory until it is back,
    # rather than every limited form (sign-in, sign-up) answering 500.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "PASSWORD_TOKEN_MAX_AGE": 24 * 3600,
    "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,
    "INVITE_TOKEN_MAX_AGE": 14 * 24 * 3600,
}
