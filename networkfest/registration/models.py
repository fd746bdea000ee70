"""Places in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkfest.accounts.models import User
from networkfest.extensions import Model
from networkfest.programme.models import FestivalSession
from networkfest.registration.rules import RegistrationStatus
from networkfest.types import UTCDateTime

REGISTRATION_STATUSES = tuple(RegistrationStatus)


class Registration(Model):
    """An attendee's place. Waitlist positions are ranks by (queued_at, id), so they close up."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_registrations_queue", "session_id", "status", "queued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("festival_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[FestivalSession] = relationship()
    user: Mapped[User] = relationship()
