"""A commitment: the feedback's "what will you do differently?", and how it went later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


class Commitment(Model):
    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("answer IN ('done', 'partly', 'not_yet')", name="answer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), index=True
    )
    # Nulled (and the words blanked) when the person deletes their account; the answer
    # stays in the follow-through figures.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The claim on the follow-up mail: set by one conditional update, so it goes once.
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
