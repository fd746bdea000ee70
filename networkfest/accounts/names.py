"""People's names held in other slices' per-process caches (`process_cache`): a page or a
room snapshot shows a host's or an asker's name, and must not keep one they have changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import object_session

from networkfest import process_cache
from networkfest.accounts.models import User


def forget_when_renamed(name: str) -> None:
    """Forget all of the cache `name` after any commit that changed a person's name."""

    def renamed(_mapper: Any, _connection: Any, user: User) -> None:
        db_session = object_session(user)
        if db_session is not None and inspect(user).attrs.name.history.has_changes():
            process_cache.forget_on_commit(db_session, name)

    event.listen(User, "after_update", renamed)
