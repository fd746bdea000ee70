"""Account units of work: sign-up, passwords, invitations, tokens, roles, privacy requests."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from networkfest.accounts.models import ApiToken, User, new_secret
from networkfest.accounts.rules import may_drop_organiser, normalise_email
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.audit.services import record
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
) -> User:
    """A new account; without a password it is an invitation, claimed through an invite link."""
    address = normalise_email(email)
    if user_by_email(db, address) is not None:
        raise DuplicateEmail
    user = User(
        email=address,
        name=name.strip(),
        password_hash=generate_password_hash(password) if password else None,
        organiser=organiser,
        created_at=now,
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError as error:
        # Two sign-ups for one address at once: the unique constraint decides.
        db.rollback()
        raise DuplicateEmail from error
    return user


def invite_host(db: DbSession, email: str, name: str, now: datetime) -> User:
    """The account of a host named in a schedule file, created if missing.

    Part of the caller's unit of work (publishing a schedule): it flushes, the caller commits.
    """
    user = user_by_email(db, email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip(), created_at=now)
        db.add(user)
        db.flush()
    return user


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
    """A new password; rotating the stamp ends every other sign-in and kills open links."""
    user.password_hash = generate_password_hash(password)
    user.security_stamp = new_secret()
    db.commit()


def user_for_link(db: DbSession, user_id: int, stamp: str) -> User | None:
    """The user a set-password link was made for, if the link has not been used since."""
    user = db.get(User, user_id)
    return user if user is not None and user.security_stamp == stamp else None


def claim_invite(db: DbSession, user: User, password: str) -> None:
    """An invited host chooses their password; an account already claimed cannot be again."""
    if not user.invited:
        raise AccountError("This invitation has already been used. Please sign in instead.")
    set_password(db, user, password)


def rename(db: DbSession, user: User, name: str) -> None:
    user.name = name.strip()
    db.commit()


def create_api_token(db: DbSession, user: User, name: str, now: datetime) -> str:
    """A new personal token: returned once, only its hash is kept."""
    raw = new_api_token()
    db.add(ApiToken(user=user, name=name.strip(), token_hash=hash_token(raw), created_at=now))
    db.commit()
    return raw


def revoke_api_token(db: DbSession, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if there is no such token of theirs."""
    result = db.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    db.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
    """Give or take the organiser role, recorded in the audit log."""
    if user.organiser == flag:
        return
    organisers = db.scalar(select(func.count()).where(User.organiser.is_(True))) or 0
    if not may_drop_organiser(user.organiser, flag, organisers):
        raise AccountError(
            "The festival needs at least one organiser. Make someone else an organiser first."
        )
    user.organiser = flag
    record(
        db,
        actor_id=actor.id,
        action="user.role",
        target=user.email,
        now=now,
        detail={"organiser": flag},
    )
    db.commit()
