"""A person's own links: to set their password, and to their private calendar feed."""

from __future__ import annotations

from flask import current_app

from networkfest.accounts.models import User
from networkfest.accounts.tokens import sign_link
from networkfest.links import absolute, webcal_url


def password_link(user: User, purpose: str) -> str:
    """A set-password link: purpose `invite` (a host claims their account) or `reset`."""
    token = sign_link(current_app.config["SECRET_KEY"], purpose, user.id, user.security_stamp)
    return absolute("accounts.set_password", purpose=purpose, token=token)


def verification_link(user: User) -> str:
    """The link mailed at sign-up: it proves the address and works once."""
    token = sign_link(current_app.config["SECRET_KEY"], "verify", user.id, user.security_stamp)
    return absolute("accounts.verify", token=token)


def personal_feed_url(user: User) -> str:
    """The private feed's absolute https (or http) address; it works without a request."""
    return absolute("feeds.personal_ics", token=user.calendar_token)


def personal_webcal_url(user: User) -> str:
    """The same address as `webcal://`, which opens the subscribe dialogue of calendar apps."""
    return webcal_url(personal_feed_url(user))
