"""A session's outcomes: one summary and its links, written by the hosts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


class Outcome(Model):
    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), unique=True
    )
    # Markdown as the host wrote it; rendered sanitised, like session descriptions.
    summary: Mapped[str] = mapped_column(Text, default="")
    # [{"title": ..., "url": ...}, ...], at most ten, http(s) only.
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once everyone who was in the room has been mailed ("what came out of it").
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
