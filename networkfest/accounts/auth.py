"""Who is asking: the browser session (Flask-Login) or a personal API token."""

from __future__ import annotations

from flask import Flask, Request, g
from flask_login import LoginManager
from sqlalchemy import bindparam, select

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


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    set_user_loader(app, lambda user_id: db.session.get(User, user_id))

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
