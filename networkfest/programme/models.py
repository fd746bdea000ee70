"""The programme: festival, themes, sessions, run sheets and the published versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkfest.accounts.models import User
from networkfest.extensions import Model, db
from networkfest.programme.rules import QaMode, SessionFormat, SessionStatus
from networkfest.types import UTCDateTime

SESSION_FORMATS = tuple(SessionFormat)
QA_MODES = tuple(QaMode)
SESSION_STATUSES = tuple(SessionStatus)

session_hosts = Table(
    "session_hosts",
    db.metadata,
    Column("session_id", ForeignKey("festival_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Festival(Model):
    __tablename__ = "festivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    lobby_minutes: Mapped[int] = mapped_column(Integer, default=10)
    warning_minutes: Mapped[list[int]] = mapped_column(JSON, default=lambda: [5, 1])
    # Weeks after a session that its commitments are followed up; 0: never.
    follow_up_weeks: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    version: Mapped[int] = mapped_column(Integer, default=0)

    themes: Mapped[list[Theme]] = relationship(
        back_populates="festival", order_by="Theme.position", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[FestivalSession]] = relationship(
        back_populates="festival", order_by="FestivalSession.starts_at"
    )


class Theme(Model):
    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("festival_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(ForeignKey("festivals.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    festival: Mapped[Festival] = relationship(back_populates="themes")


class FestivalSession(Model):
    """One scheduled slot. Named so to keep clear of `flask.session` and SQLAlchemy's Session."""

    __tablename__ = "festival_sessions"
    __table_args__ = (
        UniqueConstraint("festival_id", "slug"),
        CheckConstraint("confirmed_count >= 0", name="confirmed_not_negative"),
        CheckConstraint(
            "capacity IS NULL OR confirmed_count <= capacity", name="confirmed_within_capacity"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(ForeignKey("festivals.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    purpose: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    join_url: Mapped[str] = mapped_column(String(500))
    qa_mode: Mapped[str] = mapped_column(String(20), default=QaMode.MODERATED)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED)
    # iCalendar SEQUENCE: rises whenever a published version changes this session.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Seats taken, kept by a conditional UPDATE so capacity holds under concurrency.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The polls the schedule file prepares (`PollSpec.as_json`); the live room's own rows are
    # the polls slice's, kept in step with this list when a version is published.
    prepared_polls: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )

    festival: Mapped[Festival] = relationship(back_populates="sessions")
    theme: Mapped[Theme] = relationship()
    hosts: Mapped[list[User]] = relationship(secondary=session_hosts, order_by=User.name)
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="session", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    def is_host(self, user: Any) -> bool:
        return user is not None and getattr(user, "id", None) in {h.id for h in self.hosts}


class AgendaItem(Model):
    """A timeboxed part of a session's run sheet."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("festival_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)

    session: Mapped[FestivalSession] = relationship(back_populates="agenda_items")


class ScheduleVersion(Model):
    """One publication of the programme, frozen, with what changed since the last."""

    __tablename__ = "schedule_versions"
    __table_args__ = (UniqueConstraint("festival_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(ForeignKey("festivals.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    festival: Mapped[Festival] = relationship()
