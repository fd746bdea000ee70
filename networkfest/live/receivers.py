"""How the live room reacts to the slices below it."""

from __future__ import annotations

from typing import Any

from networkfest import signals
from networkfest.live import connections


def close_what_relied_on_it(
    sender: str,
    *,
    user_id: int,
    sign_in_ids: list[int] | None = None,
    token_id: int | None = None,
    everything: bool = False,
    **kwargs: Any,
) -> None:
    """Open connections keep the identity they started with: close those that lost it."""
    if everything:
        connections.disconnect_user(user_id)
        return
    for sign_in_id in sign_in_ids or ():
        connections.disconnect_sign_in(sign_in_id)
    if token_id is not None:
        connections.disconnect_token(token_id)


def downgrade(sender: str, *, user_ids: list[int], **kwargs: Any) -> None:
    for user_id in user_ids:
        connections.downgrade(user_id)


def connect() -> None:
    signals.credentials_changed.connect(close_what_relied_on_it)
    signals.rights_changed.connect(downgrade)
