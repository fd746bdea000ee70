"""The participants' right, declared to `authz` by the slice that knows who holds a place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from networkfest import authz
from networkfest.extensions import db
from networkfest.programme.models import FestivalSession
from networkfest.programme.rights import can_moderate
from networkfest.realtime.protocol import ProtocolError, person
from networkfest.registration.services import holds_confirmed_place, read_confirmed_places


def has_confirmed_place(user: Any, festival_session: FestivalSession) -> bool:
    if not authz.is_verified(user):
        return False
    return holds_confirmed_place(db.session, festival_session.id, user.id)


def can_ask(user: Any, festival_session: FestivalSession) -> bool:
    """Confirmed attendees, the session's hosts and organisers ask, vote and join the call."""
    return can_moderate(user, festival_session) or has_confirmed_place(user, festival_session)


def declare_rights() -> None:
    authz.declare(
        authz.Right(
            authz.PARTICIPANT,
            lambda user, fs: fs is not None and can_ask(user, fs),
            True,
            "Only people with a confirmed place in this session can do that.",
        )
    )


class InSession(Protocol):
    """Something people act on in a session's room: a question, a poll."""

    @property
    def session_id(self) -> int: ...

    @property
    def session(self) -> FestivalSession: ...


Target = TypeVar("Target", bound=InSession)
Outcome = TypeVar("Outcome")


def participants(
    events: Sequence[tuple[int, int | None, Any]],
    found: Mapping[int, Target],
    missing: str,
    refused: str,
) -> list[tuple[Target, Any] | ProtocolError]:
    """For each event of a group (target id, person id, ...), the target and the person if
    they may take part in its session, or the refusal, theirs alone. Everyone's places are
    read in one query (`read_confirmed_places`): a group's right is checked where the group
    is written (`group_commit`)."""
    read_confirmed_places(
        db.session,
        (
            (found[target].session_id, user_id)
            for target, user_id, *_ in events
            if target in found and user_id is not None
        ),
    )
    entitled: list[tuple[Target, Any] | ProtocolError] = []
    for target, user_id, *_ in events:
        user = person(user_id)
        acted_on = found.get(target)
        try:
            if acted_on is None:
                raise ProtocolError("not_found", missing)
            authz.permit(authz.PARTICIPANT, user, acted_on.session, refused)
        except ProtocolError as refusal:
            entitled.append(refusal)
            continue
        entitled.append((acted_on, user))
    return entitled


def in_order(
    entitled: Sequence[tuple[Target, Any] | ProtocolError], outcomes: Iterable[Outcome]
) -> list[Outcome | ProtocolError]:
    """Each event's answer: its refusal (`participants`) where it was refused, else the next
    of the outcomes written for the entitled ones, in their order."""
    written = iter(outcomes)
    return [
        allowed if isinstance(allowed, ProtocolError) else next(written) for allowed in entitled
    ]
