"""What the session clock has recorded: agenda moves and claimed announcements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


class AgendaMove(Model):
    """The host started item `item_index` at `started_at`; unique, so a double click moves once."""

    __tablename__ = "agenda_moves"
    __table_args__ = (UniqueConstraint("session_id", "item_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("festival_sessions.id", ondelete="CASCADE"))
    item_index: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Announcement(Model):
    """A clock announcement claimed once per cluster: the process whose insert wins emits it."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("session_id", "kind", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("festival_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime)
