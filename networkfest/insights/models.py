"""What tells organisers it was worth it: the feedback each person gave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


class Feedback(Model):
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
