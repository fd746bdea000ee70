"""A person's choice to stay in touch with the others from one session who chose it too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from networkfest.extensions import Model
from networkfest.types import UTCDateTime


class PeerConsent(Model):
    __tablename__ = "peer_consents"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("festival_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
