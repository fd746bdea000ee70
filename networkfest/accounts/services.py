"""Account units of work: sign-up, passwords, invitations, tokens, roles, privacy requests."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from werkzeug.security import check_password_hash, generate_password_hash

from networkfest.accounts.models import ApiToken, User, new_secret
from networkfest.accounts.rules import may_drop_organiser, normalise_email
from networkfest.accounts.tokens import hash_token, new_api_token
from networkfest.audit.services import record
from networkfest.insights.models import CallClick, Feedback, Notice, Presence
from networkfest.programme.models import FestivalSession
from networkfest.qa.models import Question, Vote
from networkfest.registration.models import Registration

ACTIVE_REGISTRATION = ("confirmed", "waitlisted")


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


def export_user_data(db: DbSession, user: User) -> dict[str, Any]:
    """Everything the festival keeps about one person (a UK GDPR subject access request)."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    def slugs(ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = db.execute(
            select(FestivalSession.id, FestivalSession.slug).where(FestivalSession.id.in_(ids))
        )
        return {row.id: row.slug for row in rows}

    registrations = list(db.scalars(select(Registration).where(Registration.user_id == user.id)))
    questions = list(db.scalars(select(Question).where(Question.author_id == user.id)))
    votes = list(db.scalars(select(Vote).where(Vote.user_id == user.id)))
    feedback = list(db.scalars(select(Feedback).where(Feedback.user_id == user.id)))
    presences = list(db.scalars(select(Presence).where(Presence.user_id == user.id)))
    clicks = list(db.scalars(select(CallClick).where(CallClick.user_id == user.id)))
    notices = list(db.scalars(select(Notice).where(Notice.user_id == user.id)))
    hosted = list(
        db.scalars(select(FestivalSession).where(FestivalSession.hosts.any(User.id == user.id)))
    )
    session_ids = {
        item.session_id
        for group in (registrations, questions, feedback, presences, clicks)
        for item in group
    }
    slug = slugs(session_ids)
    return {
        "account": {
            "name": user.name,
            "email": user.email,
            "organiser": user.organiser,
            "invited": user.invited,
            "created_at": when(user.created_at),
        },
        "api_tokens": [
            {"name": t.name, "created_at": when(t.created_at), "last_used_at": when(t.last_used_at)}
            for t in api_tokens(db, user)
        ],
        "hosting": [s.slug for s in hosted],
        "registrations": [
            {
                "session": slug.get(r.session_id),
                "status": r.status,
                "queued_at": when(r.queued_at),
                "updated_at": when(r.updated_at),
            }
            for r in registrations
        ],
        "questions": [
            {
                "session": slug.get(q.session_id),
                "text": q.text,
                "anonymous": q.anonymous,
                "status": q.status,
                "created_at": when(q.created_at),
            }
            for q in questions
        ],
        "votes": [{"question": v.question_id, "created_at": when(v.created_at)} for v in votes],
        "feedback": [
            {
                "session": slug.get(f.session_id),
                "worth": f.worth,
                "different": f.different,
                "follow_up": f.follow_up,
                "created_at": when(f.created_at),
            }
            for f in feedback
        ],
        "attendance": [
            {
                "session": slug.get(p.session_id),
                "joined_at": when(p.joined_at),
                "left_at": when(p.left_at),
            }
            for p in presences
        ],
        "join_link_clicks": [
            {"session": slug.get(c.session_id), "clicked_at": when(c.clicked_at)} for c in clicks
        ],
        "notices": [
            {"message": n.message, "created_at": when(n.created_at), "seen_at": when(n.seen_at)}
            for n in notices
        ],
    }


def delete_account(db: DbSession, user: User, now: datetime) -> None:
    """Erase a person: their places go (a confirmed one to the waitlist), their votes go,
    their questions and feedback stay but no longer point at them."""
    from networkfest.registration.services import cancel_registration

    active = db.scalars(
        select(Registration).where(
            Registration.user_id == user.id, Registration.status.in_(ACTIVE_REGISTRATION)
        )
    )
    for registration in list(active):
        cancel_registration(db, registration, now)

    voted = select(Vote.question_id).where(Vote.user_id == user.id)
    db.execute(
        update(Question)
        .where(Question.id.in_(voted))
        .values(votes=Question.votes - 1, revision=Question.revision + 1)
        .execution_options(synchronize_session=False)
    )
    db.execute(delete(Vote).where(Vote.user_id == user.id))
    db.execute(
        update(Question)
        .where(Question.author_id == user.id)
        .values(author_id=None, anonymous=True, revision=Question.revision + 1)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(Feedback)
        .where(Feedback.user_id == user.id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    db.execute(delete(Registration).where(Registration.user_id == user.id))
    db.delete(user)
    db.commit()
