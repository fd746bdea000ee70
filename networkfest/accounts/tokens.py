"""Secrets handed to people: personal API tokens (hashed at rest) and signed one-time links."""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

TOKEN_PREFIX = "nf_"


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    """Tokens are long and random, so a fast hash is enough and allows lookup by hash."""
    return hashlib.sha256(raw.encode()).hexdigest()


def sign_link(secret_key: str, purpose: str, user_id: int, stamp: str) -> str:
    """A link bound to the security stamp: using it rotates the stamp, so it works once."""
    return URLSafeTimedSerializer(secret_key, salt=purpose).dumps({"u": user_id, "s": stamp})


def read_link(secret_key: str, purpose: str, token: str, max_age: int) -> tuple[int, str] | None:
    """The (user id, stamp) in a link token, or None if it is forged, mangled or expired."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    stamp = data.get("s")
    return (data["u"], stamp) if isinstance(stamp, str) else None
