"""Account units of work: sign-up, passwords, invitations, tokens, roles, privacy requests."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from networkfest import signals
from networkfest.accounts.models import ApiToken, SignIn, User, new_secret
from networkfest.accounts.rules import may_drop_organiser, normalise_email, organiser_refusal
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.audit.rules import AuditAction
from networkfest.audit.services import record
from networkfest.authz import is_organiser
from networkfest.types import DbSession


class AccountError(Exception):
    """A request about an account that cannot be done; the message is safe to show."""


class DuplicateEmail(AccountError):
    def __init__(self) -> None:
        super().__init__("An account with that e-mail address already exists. Try signing in.")


def user_by_email(db: DbSession, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    db: DbSession,
    email: str,
    name: str,
    password: str | None,
    now: datetime,
    organiser: bool = False,
    verified: bool = True,
) -> User:
    """A new account; without a password it is an invitation, claimed through an invite link.

    Made by an organiser (the CLI) it is verified; made at `/signup` it is not, until its
    owner opens the link mailed to the address.
    """
    address = normalise_email(email)
    if user_by_email(db, address) is not None:
        raise DuplicateEmail
    user = User(
        email=address,
        name=name.strip(),
        password_hash=generate_password_hash(password) if password else None,
        organiser=organiser,
        created_at=now,
        verified_at=now if verified else None,
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError as error:
        # Two sign-ups for one address at once: the unique constraint decides.
        db.rollback()
        raise DuplicateEmail from error
    return user


HOST_INVITED = "invited"
HOST_PENDING = "pending"
HOST_ATTACHED = "attached"
HOST_REINVITED = "reinvited"


def invite_host(db: DbSession, email: str, name: str, now: datetime) -> tuple[User, str]:
    """The account of a host named in a schedule file, and how it came to be theirs.

    - `invited`: no account had the address; a new one waits for its invitation link.
    - `pending`: invited before and not claimed yet; its invitation link still works.
    - `attached`: a verified account (its owner proved the address) becomes the host.
    - `reinvited`: an account whose address nobody has proved is never trusted with a
      session: it becomes an invitation (password cleared, sign-ins ended, tokens
      revoked), and only whoever opens the invitation link mailed to the address gets it.

    Part of the caller's unit of work (publishing a schedule): it flushes, the caller commits.
    """
    user = user_by_email(db, email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip(), created_at=now)
        db.add(user)
        db.flush()
        return user, HOST_INVITED
    if user.verified:
        return user, HOST_ATTACHED
    if user.invited:
        return user, HOST_PENDING
    user.password_hash = None
    user.security_stamp = new_secret()
    _end_sign_ins(db, user.id, now)
    db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.flush()
    return user, HOST_REINVITED


@cache
def _decoy_hash() -> str:
    """Checked against for unknown addresses, so a reply's timing does not reveal accounts."""
    return generate_password_hash(new_secret())


def authenticate(db: DbSession, email: str, password: str) -> User | None:
    user = user_by_email(db, email)
    if user is None or user.password_hash is None:
        check_password_hash(_decoy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def check_password(user: User, password: str) -> bool:
    return user.password_hash is not None and check_password_hash(user.password_hash, password)


def set_password(db: DbSession, user: User, password: str) -> None:
    """A new password; rotating the stamp kills every link mailed before."""
    user.password_hash = generate_password_hash(password)
    user.security_stamp = new_secret()
    db.commit()


def change_password(db: DbSession, user: User, password: str, now: datetime) -> None:
    """Changed by its owner, signed in: every other sign-in ends, this one stays."""
    user_id, keep = user.id, user.sign_in_id
    ended = _end_sign_ins(db, user_id, now, keep=keep)
    set_password(db, user, password)
    _tell_connections(user_id, "password_changed", sign_in_ids=ended)


def reset_password(db: DbSession, user: User, password: str, now: datetime) -> None:
    """Reset through a mailed link (a forgotten password, or someone else in the account):
    every sign-in ends, every API token is revoked, the private calendar feed moves to a new
    address; opening the link proved the address, so the account is verified."""
    user_id = user.id
    _end_sign_ins(db, user_id, now)
    db.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    user.calendar_token = new_secret()
    user.verified_at = user.verified_at or now
    set_password(db, user, password)
    _tell_connections(user_id, "password_reset", everything=True)


def verify(db: DbSession, user: User, now: datetime) -> None:
    """The owner opened the link mailed to the address; the link is bound to the stamp, and
    rotating it makes the link (and any other mailed before) work once."""
    user.verified_at = user.verified_at or now
    user.security_stamp = new_secret()
    db.commit()


# Sign-ins --------------------------------------------------------------------------------


def start_sign_in(db: DbSession, user: User, now: datetime) -> None:
    """A sign-in the server can end; its id and secret go into the session cookie."""
    secret = new_secret()
    sign_in = SignIn(user_id=user.id, secret_hash=hash_token(secret), created_at=now)
    db.add(sign_in)
    db.commit()
    user.sign_in_id = sign_in.id
    user.sign_in_cookie = f"{sign_in.id}:{secret}"


_USER_BY_SIGN_IN = (
    select(User)
    .join(SignIn, SignIn.user_id == User.id)
    .where(
        SignIn.id == bindparam("sign_in_id"),
        SignIn.secret_hash == bindparam("secret_hash"),
        SignIn.ended_at.is_(None),
    )
)


def user_for_sign_in(db: DbSession, cookie: str) -> User | None:
    """The person behind a session cookie, while that sign-in has not been ended."""
    ident, _, secret = cookie.partition(":")
    if not ident.isdigit() or not secret or len(cookie) > 200:
        return None
    user = db.scalar(
        _USER_BY_SIGN_IN, {"sign_in_id": int(ident), "secret_hash": hash_token(secret)}
    )
    if user is not None:
        user.sign_in_id = int(ident)
        user.sign_in_cookie = cookie
    return user


def end_sign_in(db: DbSession, user_id: int, sign_in_id: int | None, now: datetime) -> None:
    """Sign out here: this sign-in ends on the server, and its live connections close."""
    if sign_in_id is None:
        return
    db.execute(
        update(SignIn)
        .where(SignIn.id == sign_in_id, SignIn.user_id == user_id, SignIn.ended_at.is_(None))
        .values(ended_at=now)
    )
    db.commit()
    _tell_connections(user_id, "signed_out", sign_in_ids=[sign_in_id])


def sign_out_everywhere(db: DbSession, user: User, now: datetime) -> None:
    """Every sign-in of the person ends, and every live connection closes."""
    user_id = user.id
    _end_sign_ins(db, user_id, now)
    db.commit()
    _tell_connections(user_id, "signed_out_everywhere", everything=True)


def _end_sign_ins(db: DbSession, user_id: int, now: datetime, keep: int | None = None) -> list[int]:
    """End the person's open sign-ins (but `keep`); part of the caller's unit of work."""
    statement = select(SignIn.id).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(SignIn.id != keep)
    ended = list(db.scalars(statement))
    if ended:
        db.execute(update(SignIn).where(SignIn.id.in_(ended)).values(ended_at=now))
    return ended


def _tell_connections(
    user_id: int,
    reason: str,
    *,
    sign_in_ids: list[int] | None = None,
    token_id: int | None = None,
    everything: bool = False,
) -> None:
    """After the commit: the live room closes what relied on what was just ended."""
    signals.send(
        signals.credentials_changed,
        "accounts",
        user_id=user_id,
        reason=reason,
        sign_in_ids=sign_in_ids or [],
        token_id=token_id,
        everything=everything,
    )


def user_for_link(db: DbSession, user_id: int, stamp: str) -> User | None:
    """The user a set-password link was made for, if the link has not been used since."""
    user = db.get(User, user_id)
    return user if user is not None and user.security_stamp == stamp else None


def claim_invite(db: DbSession, user: User, password: str, now: datetime) -> None:
    """An invited host chooses their password; an account already claimed cannot be again.
    The invitation came to the address, so opening it proves the address."""
    if not user.invited:
        raise AccountError("This invitation has already been used. Please sign in instead.")
    user.verified_at = user.verified_at or now
    set_password(db, user, password)


def update_profile(db: DbSession, user: User, name: str, organisation: str, role: str) -> None:
    """The name everyone sees, and the optional organisation and role line that people who
    chose to stay in touch see; trimmed, so stray spaces never make a line look filled."""
    user.name = name.strip()
    user.organisation = organisation.strip()
    user.role = role.strip()
    db.commit()


def create_api_token(db: DbSession, user: User, name: str, now: datetime) -> str:
    """A new personal token: returned once, only its hash is kept."""
    raw = new_api_token()
    db.add(ApiToken(user=user, name=name.strip(), token_hash=hash_token(raw), created_at=now))
    db.commit()
    return raw


def revoke_api_token(db: DbSession, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if there is no such token of theirs.
    Live connections opened with it close."""
    user_id = user.id
    result = db.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    db.commit()
    revoked = bool(result.rowcount)  # type: ignore[attr-defined]
    if revoked:
        _tell_connections(user_id, "token_revoked", token_id=token_id)
    return revoked


def api_tokens(db: DbSession, user: User) -> list[ApiToken]:
    return list(
        db.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        )
    )


def search_users(db: DbSession, query: str, limit: int = 200) -> list[User]:
    statement = select(User).order_by(User.organiser.desc(), User.name, User.id).limit(limit)
    term = query.strip().lower()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            func.lower(User.name).like(pattern, escape="\\") | User.email.like(pattern, escape="\\")
        )
    return list(db.scalars(statement))


def set_organiser(db: DbSession, actor: User, user: User, flag: bool, now: datetime) -> None:
    """Give or take the organiser role, recorded in the audit log. Only a verified account is
    given it, and the festival keeps at least one organiser who holds its rights: an
    unverified account holds none of them (`authz.is_organiser`), whatever its flag says."""
    if user.organiser == flag:
        return
    refusal = organiser_refusal(user.name, user.invited, user.verified) if flag else None
    if refusal is not None:
        raise AccountError(refusal)
    organisers = (
        db.scalar(
            select(func.count()).where(User.organiser.is_(True), User.verified_at.is_not(None))
        )
        or 0
    )
    if not may_drop_organiser(is_organiser(user), flag, organisers):
        raise AccountError(
            "The festival needs at least one organiser. Make someone else an organiser first."
        )
    user.organiser = flag
    user_id = user.id
    record(
        db,
        actor_id=actor.id,
        action=AuditAction.USER_ROLE,
        target="",
        subject_id=user_id,
        now=now,
        detail={"organiser": flag},
    )
    db.commit()
    if not flag:
        signals.send(signals.rights_changed, "accounts", user_ids=[user_id], reason="organiser")


def prune_ended_sign_ins(db: DbSession, before: datetime) -> int:
    """Delete sign-ins that ended before `before`: a missing row refuses its cookie just as
    an ended one does, so they only grow the table. Returns how many went."""
    deleted = db.execute(delete(SignIn).where(SignIn.ended_at < before))
    db.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)
