"""Addresses of the personal feed, for the agenda page and `GET /api/v1/me`."""

from __future__ import annotations

from networkfest.accounts.links import absolute
from networkfest.accounts.models import User
from networkfest.feeds.rules import webcal_url


def personal_feed_url(user: User) -> str:
    """The private feed's absolute https (or http) address; it works without a request."""
    return absolute("feeds.personal_ics", token=user.calendar_token)


def personal_webcal_url(user: User) -> str:
    """The same address as `webcal://`, which opens the subscribe dialogue of calendar apps."""
    return webcal_url(personal_feed_url(user))
