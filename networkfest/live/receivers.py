"""How the live room reacts to the slices below it."""

from __future__ import annotations

from typing import Any

from networkfest import signals
from networkfest.live.connections import disconnect_user


def close_connections(sender: str, *, user_id: int, **kwargs: Any) -> None:
    """Open Socket.IO connections keep the identity they started with: close them."""
    disconnect_user(user_id)


def connect() -> None:
    signals.credentials_changed.connect(close_connections)
