"""The audit log of organiser and host actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    # The person an action was about (a role change), by id: their address is never copied
    # into the log, and once they are deleted the log says "a deleted person".
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    # The audit log sits below accounts: the person's class is found by name in the registry.
    actor: Mapped[User | None] = relationship(  # type: ignore[name-defined]  # noqa: F821
        "User", foreign_keys=[actor_id]
    )
    subject: Mapped[User | None] = relationship(  # type: ignore[name-defined]  # noqa: F821
        "User", foreign_keys=[subject_id]
    )
