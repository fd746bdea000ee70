"""Pure account rules: e-mail normalisation, safe redirects, account states, who may change
roles."""

from __future__ import annotations

from urllib.parse import urlsplit

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
LINK_PURPOSES = ("invite", "reset")

ACCOUNT_INVITED = "invited"
ACCOUNT_UNCONFIRMED = "unconfirmed"
ACCOUNT_ACTIVE = "active"


def normalise_email(email: str) -> str:
    """One spelling per address, so uniqueness holds whatever case people type."""
    return email.strip().lower()


def safe_next(target: str | None) -> str | None:
    """A local path to go to after signing in, or None: never another site (open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def may_drop_organiser(target_is_organiser: bool, flag: bool, organiser_count: int) -> bool:
    """The festival must keep at least one organiser, or no one could manage it any more."""
    return flag or not target_is_organiser or organiser_count > 1


def account_state(invited: bool, verified: bool) -> str:
    """What the people page says of an account. An invitation not taken up yet comes first:
    its link is what an organiser needs. An address its owner has not confirmed holds no
    rights until they do, so an organiser must be able to tell it from an active account."""
    if invited:
        return ACCOUNT_INVITED
    return ACCOUNT_ACTIVE if verified else ACCOUNT_UNCONFIRMED


def organiser_refusal(name: str, invited: bool, verified: bool) -> str | None:
    """Why an account cannot be made an organiser, or None when it can. An unverified account
    would hold the flag but none of the rights (`authz.is_organiser`): a menu of pages that
    all refuse it, with nothing telling anyone why."""
    if verified:
        return None
    waiting_for = "accepted their invitation" if invited else "confirmed their address"
    return f"{name} has not {waiting_for} yet: they can be made an organiser once they have."
