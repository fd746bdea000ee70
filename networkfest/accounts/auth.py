"""Who is asking: the browser session (Flask-Login) or a personal API token.

A live connection opened with a token needs only who it is and which token it came
through; each process remembers that for `TOKEN_CACHE_SECONDS` (a storm of joins then
hashes and looks up nothing twice). Revoking a token, resetting a password or deleting an
account forgets it at once here and, through the message queue, in every other process
(`credentials_changed`); the lifetime bounds how long a token removed any other way (by hand
in the database) can still open connections.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, current_app, g
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from networkfest import process_cache, signals
from networkfest.accounts.models import ApiToken, User
from networkfest.accounts.services import user_for_sign_in
from networkfest.accounts.tokens import hash_token
from networkfest.authz import bearer_token
from networkfest.extensions import db
from networkfest.realtime.protocol import set_user_loader

# Built once: every API request with a token runs it, and composing it costs more than running it.
_USER_BY_TOKEN = (
    select(User, ApiToken.id)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_token(raw: str) -> User | None:
    """The token's owner, marked with the token it came through (so revoking it can close
    what it opened)."""
    if not raw or len(raw) > 200:
        return None
    row = db.session.execute(_USER_BY_TOKEN, {"token_hash": hash_token(raw)}).first()
    if row is None:
        return None
    user, token_id = row
    user.api_token_id = token_id
    return user


TOKENS = "accounts.tokens"
DEFAULT_TOKEN_CACHE_SECONDS = 60.0
# Built once, like the one above: a connection needs the ids alone.
_IDS_BY_TOKEN = select(ApiToken.user_id, ApiToken.id).where(
    ApiToken.token_hash == bindparam("token_hash")
)


def token_identity(raw: str) -> tuple[int, int] | None:
    """(person id, token id) of a personal token, from this process's memory when it has
    it; None for a token that is unknown (never remembered, so a new token works at once)."""
    if not raw or len(raw) > 200:
        return None
    tokens = process_cache.cache(
        TOKENS,
        lifetime_s=current_app.config.get("TOKEN_CACHE_SECONDS", DEFAULT_TOKEN_CACHE_SECONDS),
    )
    token_hash = hash_token(raw)
    known: tuple[int, int] | None = tokens.get(token_hash)
    if known is not None:
        return known
    ticket = tokens.ticket()
    row = db.session.execute(_IDS_BY_TOKEN, {"token_hash": token_hash}).first()
    if row is None:
        return None
    user_id, token_id = row
    identity = (int(user_id), int(token_id))
    tokens.put(token_hash, identity, labels=(f"user:{user_id}", f"token:{token_id}"), ticket=ticket)
    return identity


# Built once: every signed-in live event loads its caller, and `Session.get` composes a
# statement and its cache key each time, which cost more than SQLite takes to run it.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def _user_by_id(user_id: int) -> User | None:
    """A live connection's person, fresh from the database at every event."""
    user: User | None = db.session.scalar(_USER_BY_ID, {"user_id": user_id})
    return user


def _forget_credentials(
    sender: str,
    *,
    user_id: int,
    token_id: int | None = None,
    everything: bool = False,
    **kwargs: Any,
) -> None:
    """A token revoked, or every credential of a person gone: no process opens a connection
    with what it remembered of them."""
    if everything:
        process_cache.forget(TOKENS, f"user:{user_id}")
    elif token_id is not None:
        process_cache.forget(TOKENS, f"token:{token_id}")


def connect() -> None:
    """At start-up, in every process that can end credentials (the servers and the CLI)."""
    signals.credentials_changed.connect(_forget_credentials)


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    set_user_loader(app, _user_by_id)

    @login_manager.user_loader
    def _load(cookie: str) -> User | None:
        """Only while the sign-in the cookie names is open: signing out ends it."""
        return user_for_sign_in(db.session, cookie)

    @login_manager.request_loader
    def _from_bearer(request: Request) -> User | None:
        raw = bearer_token(request)
        if raw is None:
            return None
        user = user_for_token(raw)
        if user is not None:
            g.authenticated_by_token = True
        return user
