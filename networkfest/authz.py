"""Who may do what: named rights, decided in one place, enforced the same way everywhere.

A right is a predicate over the acting person and, for per-session rights, the session
named by the URL's `slug` or by the event's payload. One guard per kind of handler:

- `require(right)` on HTML routes: visitors are sent to sign in, people without the right
  get the 403 page;
- `require_json(right)` on JSON API routes: 401 and 403 as the API's JSON errors;
- `authorise(right, festival_session)` inside Socket.IO handlers: `ProtocolError`
  (`unauthenticated` / `forbidden`).

Decorated views carry `required_right`, so the test suite can hold every route in the URL
map to its table of rights and nothing new slips through unguarded. Object-level checks
(your own token, your own notice) stay in the services, which look rows up by owner.
Personal API tokens open the API and the live socket only, never the pages: a leaked token
cannot read someone's profile, data export or organiser pages.

This module knows no domain slice. It names the rights and checks them; the slice that owns
the facts declares each right's predicate at start-up (`declare`): `programme` the hosts'
rights and how a URL's `slug` finds a session, `registration` the participants'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Request, g, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden, HTTPException, NotFound, Unauthorized

from networkfest.extensions import db, login_manager
from networkfest.realtime.protocol import ProtocolError, caller

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"
VERIFIED = "verified"
ORGANISER = "organiser"
HOST = "host"
HOST_OF_SESSION = "host_of_session"
PARTICIPANT = "participant"

SIGN_IN_MESSAGE = "Please sign in to do that."
TOKEN_INVALID = "That API token is not valid."
API_SIGN_IN = "Sign in, or send a personal token as a Bearer token."
NO_SESSION = "There is no session with that name."


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


# Predicates that need no slice ------------------------------------------------------------


def is_signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_verified(user: Any) -> bool:
    """Signed in with an address its owner proved: until then, no rights beyond reading."""
    return is_signed_in(user) and bool(user.verified)


def is_organiser(user: Any) -> bool:
    return is_verified(user) and bool(user.organiser)


# Rights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Right:
    """What a guard checks: who is allowed, whether a session is involved, the refusal."""

    name: str
    allows: Callable[[Any, Any], bool]
    per_session: bool
    message: str


RIGHTS: dict[str, Right] = {
    right.name: right
    for right in (
        Right(PUBLIC, lambda user, fs: True, False, ""),
        Right(SIGNED_IN, lambda user, fs: is_signed_in(user), False, SIGN_IN_MESSAGE),
        Right(
            VERIFIED,
            lambda user, fs: is_verified(user),
            False,
            "Please confirm your e-mail address first: open the link we sent you "
            "(your account page can send it again).",
        ),
        Right(
            ORGANISER,
            lambda user, fs: is_organiser(user),
            False,
            "This is for the festival's organisers.",
        ),
    )
}

# How a URL's `slug` becomes a session, declared by the programme slice.
_session_lookup: list[Callable[[Any, str], Any]] = []


def declare(right: Right) -> None:
    """A slice declares the predicate of a right it owns; declaring it again replaces it."""
    RIGHTS[right.name] = right


def declare_session_lookup(lookup: Callable[[Any, str], Any]) -> None:
    _session_lookup[:] = [lookup]


def right(name: str) -> Right:
    try:
        return RIGHTS[name]
    except KeyError:
        raise ValueError(f"unknown right {name!r}; one of {', '.join(RIGHTS)}") from None


def holds(user: Any, name: str) -> bool:
    """Whether a person holds a right that names no session, by the very predicate its guards
    check: what a page offers (the organisers' menu) follows what the pages behind it allow."""
    rule = right(name)
    if rule.per_session:
        raise ValueError(f"the right {name!r} is decided per session")
    return rule.name == PUBLIC or (is_signed_in(user) and rule.allows(user, None))


def _refuse(error: type[HTTPException], message: str) -> NoReturn:
    """A 4xx whose page or JSON error says exactly why (see `errors.py`)."""
    exception = error(message)
    exception.networkfest_message = message  # type: ignore[attr-defined]
    raise exception


def _session_in_url(kwargs: dict[str, Any]) -> Any:
    festival_session = _session_lookup[0](db.session, str(kwargs.get("slug", "")))
    if festival_session is None:
        _refuse(NotFound, NO_SESSION)
    return festival_session


def _web_user() -> Any:
    """The person behind a page request: the session cookie only, never a bearer token."""
    if not current_user.is_authenticated or g.get("authenticated_by_token"):
        return None
    return current_user._get_current_object()


def _api_user() -> Any:
    """The person behind an API request: the session cookie or a valid bearer token."""
    authenticated = current_user.is_authenticated  # runs the loaders, sets the token flag
    if bearer_token(request) is not None and not g.get("authenticated_by_token"):
        _refuse(Unauthorized, TOKEN_INVALID)
    if not authenticated:
        return None
    return current_user._get_current_object()


# Guards ---------------------------------------------------------------------------------
# Each guard looks its right up when it runs, not when it decorates: a route module may be
# imported before the slice that owns the right has declared it.


def require(name: str, message: str | None = None) -> Callable[[F], F]:
    """Guard an HTML route: visitors go to sign in, people without the right get a 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            rule = right(name)
            if rule.name != PUBLIC:
                user = _web_user()
                if user is None:
                    return login_manager.unauthorized()
                festival_session = _session_in_url(kwargs) if rule.per_session else None
                if not rule.allows(user, festival_session):
                    _refuse(Forbidden, message or rule.message)
            return view(*args, **kwargs)

        wrapper.required_right = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def require_json(name: str, message: str | None = None) -> Callable[[F], F]:
    """Guard a JSON API route: a wrong token or no sign-in is a 401, no right a 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            rule = right(name)
            user = _api_user()
            if rule.name != PUBLIC:
                if user is None:
                    _refuse(Unauthorized, API_SIGN_IN)
                festival_session = _session_in_url(kwargs) if rule.per_session else None
                if not rule.allows(user, festival_session):
                    _refuse(Forbidden, message or rule.message)
            return view(*args, **kwargs)

        wrapper.required_right = name  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def authorise(name: str, festival_session: Any = None, message: str | None = None) -> Any:
    """Guard a Socket.IO event: the connection's person, or the protocol's refusal.

    Returns the caller (None for an anonymous connection on a public event).
    """
    return permit(name, caller(), festival_session, message)


def permit(name: str, user: Any, festival_session: Any = None, message: str | None = None) -> Any:
    """`authorise` for a given person: work written for several callers at once (a group of
    votes, `group_commit`) checks each one's right where it is written."""
    rule = right(name)
    if rule.name == PUBLIC:
        return user
    if user is None:
        raise ProtocolError("unauthenticated", SIGN_IN_MESSAGE)
    if rule.per_session and festival_session is None:
        raise ProtocolError("not_found", NO_SESSION)
    if not rule.allows(user, festival_session):
        raise ProtocolError("forbidden", message or rule.message)
    return user
