"""Where punctuality's evidence of a session's start comes from.

Timing records the run sheet's moves itself. The other evidence, the host's arrival in the
live room, is a fact of the live slice (presence), and live sits above timing. So live
declares at start-up how to read its hosts' stays (`declare_host_stays`), the way slices
declare their rights to `authz`; timing asks through `host_stays` and never imports live.
Until something is declared there are no stays, and a session without moves has no record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from networkfest.timing.rules import Stay
from networkfest.types import DbSession

HostStays = Callable[[DbSession, Sequence[int]], dict[int, list[Stay]]]

_source: HostStays | None = None


def declare_host_stays(source: HostStays) -> None:
    """`source(db, session_ids)` answers each session's hosts' stays in its live room."""
    global _source
    _source = source


def host_stays(db: DbSession, session_ids: Sequence[int]) -> dict[int, list[Stay]]:
    """The hosts' stays in these sessions' rooms, by session id (absent: none)."""
    if _source is None or not session_ids:
        return {}
    return _source(db, session_ids)
