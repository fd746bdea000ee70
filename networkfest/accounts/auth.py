"""Who is asking: the browser session (Flask-Login) or a personal API token.

A personal token (an API request, a live connection) needs only who it is and which token
it came through; each process remembers that for `TOKEN_CACHE_SECONDS` (a storm of joins or
of registrations then hashes and looks up nothing twice). Revoking a token, resetting a
password or deleting an account forgets it at once here and, through the message queue, in
every other process (`credentials_changed`); the lifetime bounds how long a token removed any
other way (by hand in the database) can still be used, and `process_cache.READ_WAIT_S` more
for a request that arrives while another reads it afresh.

The person behind a token or a live connection (their rights, their name) is kept the same
way, by person, for the same lifetime: a join storm or an API client then asks the database
nothing about them after the first request or connect that read them. Any write of their
row through the ORM (a new name, a right gained or lost, an address proved) forgets them when
it commits, here and in every other process, so the next event or request reads them afresh;
the lifetime (and `READ_WAIT_S`) bounds a write made any other way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, Request, current_app, g
from flask_login import LoginManager, current_user
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import object_session

from networkfest import process_cache, signals
from networkfest.accounts.models import ApiToken, User
from networkfest.accounts.services import user_for_sign_in
from networkfest.accounts.tokens import hash_token
from networkfest.authz import bearer_token
from networkfest.extensions import db
from networkfest.group_commit import together
from networkfest.realtime.protocol import set_user_loader

# Built once: every group of tokens new to the process runs it (`read_tokens`), and
# composing it costs more than running it.
_USERS_BY_TOKEN = (
    select(User, ApiToken.id, ApiToken.token_hash)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash.in_(bindparam("token_hashes", expanding=True)))
)


TOKENS = "accounts.tokens"
DEFAULT_TOKEN_CACHE_SECONDS = 60.0
CALLERS = "accounts.callers"
TOKEN_READS = "accounts.token_reads"


def _cache_lifetime() -> float:
    return float(current_app.config.get("TOKEN_CACHE_SECONDS", DEFAULT_TOKEN_CACHE_SECONDS))


def token_identity(raw: str) -> tuple[int, int] | None:
    """(person id, token id) of a personal token, from this process's memory when it has
    it; None for a token that is unknown (never remembered, so a new token works at once)."""
    if not raw or len(raw) > 200:
        return None
    token_hash = hash_token(raw)
    known: tuple[int, int] | None = _tokens().get(token_hash)
    if known is not None:
        return known
    return together(TOKEN_READS, read_tokens, token_hash, reads=True)


def read_tokens(token_hashes: Sequence[str]) -> list[tuple[int, int] | None]:
    """The tokens new to this process that arrived together, with their people, in one
    statement: a storm of connections or API requests by people the process has not seen
    takes a round trip per group rather than per person (docs/benchmarks.md, "Tokens read in
    groups"). Each person is kept as their caller too: what follows asks nothing more."""
    tokens = _tokens()
    ticket = tokens.ticket()
    caller_ticket = _callers().ticket()
    found: dict[str, tuple[int, int]] = {}
    rows = db.session.execute(_USERS_BY_TOKEN, {"token_hashes": sorted(set(token_hashes))})
    for user, token_id, token_hash in rows:
        identity = found[token_hash] = (user.id, int(token_id))
        tokens.put(
            token_hash, identity, labels=(f"user:{user.id}", f"token:{token_id}"), ticket=ticket
        )
        _keep_caller(user, caller_ticket)
    return [found.get(token_hash) for token_hash in token_hashes]


# Built once: every signed-in live event loads its caller, and `Session.get` composes a
# statement and its cache key each time, which cost more than SQLite takes to run it.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def _tokens() -> process_cache.ProcessCache:
    return process_cache.cache(TOKENS, lifetime_s=_cache_lifetime())


def _callers() -> process_cache.ProcessCache:
    return process_cache.cache(CALLERS, lifetime_s=_cache_lifetime(), timer=process_cache.app_clock)


def _keep_caller(user: User, ticket: int) -> None:
    """Keep a detached copy: the event's own object changes with its session."""
    _callers().put(
        user.id, process_cache.detached_copy(user), labels=(f"user:{user.id}",), ticket=ticket
    )


def _user_by_id(user_id: int) -> User | None:
    """A live connection's person at an event: this process's copy, put into the event's
    session without a query, until a write of their row commits (or the lifetime ends)."""

    def read() -> User | None:
        found: User | None = db.session.scalar(_USER_BY_ID, {"user_id": user_id})
        return found

    if process_cache.changed_here(db.session, CALLERS):
        return read()
    user: User | None = process_cache.merged_through(
        db.session, _callers(), user_id, read, labels=(f"user:{user_id}",)
    )
    return user


def user_for_token(raw: str) -> User | None:
    """The token's owner, marked with the token it came through (so revoking it can close
    what it opened): from this process's memory of the token and of the person, as for a
    live connection, so an API request in a storm of them asks the database nothing about
    who is asking."""
    identity = token_identity(raw)
    if identity is None:
        return None
    user_id, token_id = identity
    user = _user_by_id(user_id)
    if user is None:
        return None
    user.api_token_id = token_id
    return user


def cookie_caller() -> User | None:
    """The person whose open sign-in (session cookie) opens a live connection, kept as the
    connection's caller from then on; None for a visitor."""
    ticket = _callers().ticket()
    # This handshake's own cookie, never a user object an earlier request left in `g`.
    g.pop("_login_user", None)
    user = current_user._get_current_object()
    if not user.is_authenticated or user.sign_in_id is None:
        return None
    _keep_caller(user, ticket)
    signed_in: User = user
    return signed_in


def _caller_written(_mapper: Any, _connection: Any, target: User) -> None:
    db_session = object_session(target)
    if db_session is not None:
        process_cache.forget_on_commit(db_session, CALLERS, f"user:{target.id}")


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
        process_cache.forget(CALLERS, f"user:{user_id}")
    elif token_id is not None:
        process_cache.forget(TOKENS, f"token:{token_id}")


def connect() -> None:
    """At start-up, in every process that can end credentials (the servers and the CLI)."""
    signals.credentials_changed.connect(_forget_credentials)
    for kind in ("after_update", "after_delete"):
        if not event.contains(User, kind, _caller_written):
            event.listen(User, kind, _caller_written)


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
