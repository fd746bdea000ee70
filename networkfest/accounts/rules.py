"""Pure account rules: e-mail normalisation, safe redirects, who may change roles."""

from __future__ import annotations

from urllib.parse import urlsplit

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
LINK_PURPOSES = ("invite", "reset")


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
