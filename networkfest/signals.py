"""The signal catalogue: how a lower slice lets higher ones react without importing them.

Slices stack `accounts` < `programme` < `timing` < `registration` < `qa` < `live` <
(`insights`, `notifications`, `feeds`, `privacy`) (see docs/architecture.md). A lower slice
never calls up; it sends one of these named signals (blinker) and the slices above connect
receivers in their own `receivers.py` at start-up.

Every signal here is sent **after** the sender's commit, through `send`, so:
- a receiver sees the sender's write, and does its own unit of work (it may commit);
- a receiver that fails is logged and its half-done work rolled back; it cannot undo the
  sender's write, fail the sender's request, or stop the other receivers;
- the sender reads what it passes before its commit, so no transaction of its own is open
  while the receivers work.

Receivers are called with the sender (the sending slice's name) and keyword arguments, in
the order they were connected: `web.connect_slices` connects the lower slices first, so a
higher slice's receiver sees what a lower slice's receiver did with the same signal (the
places registration gave to a restored session's waitlist, when notifications says it is
back on).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from blinker import NamedSignal, Namespace

from networkfest.extensions import db

log = logging.getLogger(__name__)

_signals = Namespace()

programme_published: NamedSignal = _signals.signal(
    "programme-published",
    doc="""A new schedule version was committed.

    kwargs: `festival_id` (int), `version` (int), `changes` (list of `Change`), `now`.
    Listeners: registration (fills seats freed by a larger capacity or a session back on the
    programme), notifications (tells the people registered for moved, retitled, cancelled
    and restored sessions, after registration has given out the restored places), the job
    runner (wakes, since the clock's next moment may have moved).""",
)

place_promoted: NamedSignal = _signals.signal(
    "place-promoted",
    doc="""Someone moved from a session's waitlist to a confirmed place.

    kwargs: `session_id` (int), `user_id` (int), `now`.
    Listeners: notifications (a notice on the site, a mail and a live notice).""",
)

session_ended: NamedSignal = _signals.signal(
    "session-ended",
    doc="""This process won the claim to announce a session's hard stop.

    kwargs: `session_id` (int), `now`. Sent once per cluster.
    Listeners: notifications (asks the people who were in the room for feedback).""",
)

credentials_changed: NamedSignal = _signals.signal(
    "credentials-changed",
    doc="""Something a person's connections were opened with is no longer good: a sign-in
    ended, a token was revoked, the password was changed or reset, the account was deleted
    or turned back into an invitation.

    kwargs: `user_id` (int), `reason` (str), `sign_in_ids` (list of int: the sign-ins that
    ended), `token_id` (int or None: the token revoked), `everything` (bool: every
    connection of the person, however it was opened).
    Listeners: live (tells those pages and closes those connections, in every process).""",
)

rights_changed: NamedSignal = _signals.signal(
    "rights-changed",
    doc="""People lost a right their open connections may rely on: the organiser role, or
    hosting a session (a new programme version no longer names them).

    kwargs: `user_ids` (list of int), `reason` (str: `organiser`, `host_removed`).
    Listeners: live (closes their connections; their pages connect again with the rights
    they now have, so a former host leaves the hosts' room at once).""",
)


def send(signal: NamedSignal, sender: str, **kwargs: Any) -> None:
    """Call each receiver in turn; a failing one is logged and rolled back, the rest still run.

    After each receiver the database session is rolled back: whatever it left uncommitted
    is dropped, and a transaction it left open (on SQLite, the write lock) is ended.
    """
    for receiver in _in_connection_order(signal, sender):
        try:
            receiver(sender, **kwargs)
        except Exception:
            log.exception("a receiver of %s failed", signal.name)
        finally:
            db.session.rollback()


def _in_connection_order(signal: NamedSignal, sender: str) -> list[Callable[..., Any]]:
    """blinker yields a signal's receivers in no fixed order (it keeps their ids in a set);
    its `receivers` mapping keeps the order they were connected in."""
    wanted = list(signal.receivers_for(sender))
    ordered: list[Callable[..., Any]] = []
    for held in list(signal.receivers.values()):
        receiver = held() if isinstance(held, weakref.ref) else held
        if receiver is not None and receiver in wanted:
            ordered.append(receiver)
    return ordered
