"""Polls in a session's live room and the answers to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkfest.extensions import Model
from networkfest.programme.models import FestivalSession
from networkfest.types import UTCDateTime


class Poll(Model):
    __tablename__ = "polls"
    __table_args__ = (
        # One row per prepared poll of a session (NULL, written on the spot, never clashes).
        UniqueConstraint("session_id", "prepared_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), index=True
    )
    # Its place in the schedule file's `polls` list; None for a poll written in the room.
    prepared_position: Mapped[int | None] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(200))
    options: Mapped[list[str]] = mapped_column(JSON)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    results: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    # The session's id while the poll is open, else NULL: unique, so the database itself
    # holds "one open poll per room" against two hosts opening at once (NULLs never clash).
    open_in_session: Mapped[int | None] = mapped_column(Integer, unique=True)
    # Raised by every change under the row's lock: the order in which changes committed,
    # so a late coalesced count never replaces a newer one (`networkfest.fanout`).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[FestivalSession] = relationship()


class PollChoice(Model):
    """One option one person chose; their answer is all their rows for the poll."""

    __tablename__ = "poll_choices"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    option: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
