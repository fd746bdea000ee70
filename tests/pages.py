"""What two answers of the same page may differ in."""

from __future__ import annotations

import re

# Each browser has its own CSRF token, signed with the second it was made in.
CSRF_TOKEN = re.compile(r'(name="csrf-token" content|name="csrf_token" value)="[^"]+"')


def without_csrf_tokens(html: str) -> str:
    """The page with any CSRF token taken out: all else must match between two answers."""
    return CSRF_TOKEN.sub("", html)
