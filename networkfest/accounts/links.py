"""Absolute links for mails, feeds and the CLI, built from NETWORKFEST_BASE_URL."""

from __future__ import annotations

from flask import current_app

from networkfest.accounts.models import User
from networkfest.accounts.tokens import sign_link


def absolute(endpoint: str, **values: object) -> str:
    """Works without a request (CLI, background tasks): builds from the URL map directly."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def password_link(user: User, purpose: str) -> str:
    """A set-password link: purpose `invite` (a host claims their account) or `reset`."""
    token = sign_link(current_app.config["SECRET_KEY"], purpose, user.id, user.security_stamp)
    return absolute("accounts.set_password", purpose=purpose, token=token)
