"""Start-up checks for running several processes behind one message queue.

With `NETWORKFEST_MESSAGE_QUEUE` set but Redis unreachable (or the `redis` package
missing), Flask-SocketIO only logs "Cannot receive from redis… retrying" and then
broadcasts inside one process: attendees on other processes silently miss questions.
`check_message_queue` turns that into a loud failure at start-up instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

REDIS_SCHEMES = ("redis", "rediss", "unix")
CONNECT_TIMEOUT_S = 3.0


def redacted(url: str) -> str:
    """The URL with any password replaced, safe to print in an error or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def check_message_queue(url: str) -> None:
    """Connect to the Redis message queue at `url` and PING it; raise RuntimeError if that fails."""
    shown = redacted(url)
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise RuntimeError(
            f"NETWORKFEST_MESSAGE_QUEUE={shown}: only Redis is supported "
            f"(a URL starting with {', '.join(s + '://' for s in REDIS_SCHEMES)})."
        )
    try:
        import redis
    except ImportError as error:
        raise RuntimeError(
            f"NETWORKFEST_MESSAGE_QUEUE={shown} needs the 'redis' package: "
            "pip install 'redis>=5,<9'."
        ) from error
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=CONNECT_TIMEOUT_S
    )
    try:
        client.ping()
    except redis.RedisError as error:
        raise RuntimeError(
            f"The message queue NETWORKFEST_MESSAGE_QUEUE={shown} is not reachable "
            f"({error.__class__.__name__}: {error}). Without it, live updates would reach "
            "only the attendees connected to this process, so Networkfest refuses to start."
        ) from error
    finally:
        client.close()
