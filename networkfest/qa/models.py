"""Questions and votes in a session's live room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkfest.accounts.models import User
from networkfest.extensions import Model
from networkfest.programme.models import FestivalSession
from networkfest.qa.rules import QuestionStatus
from networkfest.types import UTCDateTime

QUESTION_STATUSES = tuple(QuestionStatus)
MAX_QUESTION_LENGTH = 500


class Question(Model):
    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_session_status", "session_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("festival_sessions.id", ondelete="CASCADE"))
    # Kept when the author deletes their account: the question stays, anonymised.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Denormalised count, only ever changed together with a Vote row in one transaction.
    votes: Mapped[int] = mapped_column(Integer, default=0)
    # Raised by every change, under the row's lock: the order in which changes committed,
    # so a broadcast that arrives late never replaces a newer state (`networkfest.fanout`).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[FestivalSession] = relationship()
    author: Mapped[User | None] = relationship()


class Vote(Model):
    __tablename__ = "votes"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
