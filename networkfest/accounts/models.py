"""Accounts: every person is a user; hosts are named in the schedule; organisers have a flag."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"
    # The plain attributes below describe how this object was loaded; they are not columns.
    __allow_unmapped__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organiser: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_secret)
    security_stamp: Mapped[str] = mapped_column(String(64), default=new_secret)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the owner proved the address is theirs (a verification or invitation link, or
    # made by an organiser at the command line); None until then.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The optional line peers see beside the name: "Organisation" and "Role".
    organisation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    role: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Whether commitments are followed up by mail; the person can turn it off.
    follow_up_mails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The sign-in this object was loaded through (`SignIn.cookie_value`), set by the
    # services that start or check a sign-in; Flask-Login keeps it in the session cookie.
    sign_in_id: int | None = None
    sign_in_cookie: str | None = None
    # The personal API token this object was loaded through, when it was.
    api_token_id: int | None = None

    @property
    def invited(self) -> bool:
        """A host created by publishing the schedule, who has not set a password yet."""
        return self.password_hash is None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    # One person is one person, however (and through which sign-in) the object was loaded;
    # Flask-Login's own equality compares `get_id()`, which is now the sign-in.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        if self.id is None or other.id is None:
            return self is other
        return self.id == other.id

    def __hash__(self) -> int:
        return hash((User, self.id)) if self.id is not None else id(self)

    def get_id(self) -> str:
        """What the session cookie carries: the sign-in, which the server can end."""
        if self.sign_in_cookie is None:
            raise RuntimeError("start a sign-in (accounts.services.start_sign_in) first")
        return self.sign_in_cookie


class SignIn(Model):
    """One sign-in of one person in one browser: signing out ends it on the server, so a
    copied cookie is worth nothing afterwards. Only the secret's SHA-256 is kept."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Model):
    """A personal API token; only its SHA-256 is kept, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
