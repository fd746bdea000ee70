"""What tells organisers it was worth it: presence, call clicks, feedback, reminders, notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from networkfest.extensions import db
from networkfest.types import UTCDateTime


class Presence(db.Model):
    """One connection's stay in a live room; a person's attendance is the union of theirs."""

    __tablename__ = "presences"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    sid: Mapped[str] = mapped_column(String(64), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CallClick(db.Model):
    __tablename__ = "call_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clicked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("worth BETWEEN 1 AND 5", name="worth_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), index=True
    )
    # Nulled when the person deletes their account; the answer stays in the figures.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    worth: Mapped[int] = mapped_column(Integer)
    different: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(db.Model):
    """Claimed before it is sent: the unique row makes each reminder go out once per cluster."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("festival_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(db.Model):
    """A message for one person (a change to their session, a promotion), shown as a banner."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
