"""Who may choose to stay in touch, and who sees whom.

Pure: no Flask, no database; the session's phase and the facts about the person are passed
in. Staying in touch is mutual: a person's name, organisation and e-mail go only to the
others from the same session who chose it too, never to anyone else (not the hosts, not the
organisers), and a withdrawn choice stops counting the moment it is withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from networkfest.timing.rules import Phase

WHO_SEES = (
    "Only people who were in this session's room, and chose to stay in touch, see the others "
    "who chose it too."
)


class Access(StrEnum):
    """What a signed-in person gets on a session's peers page."""

    SEES = "sees"  # chose: sees the others who chose
    MAY_CHOOSE = "may_choose"  # may choose, has not (yet)
    NONE = "none"  # neither: sees nobody


@dataclass(frozen=True)
class Consenting:
    """One person who chose to stay in touch with the others from a session."""

    user_id: int
    verified: bool


def choice_refusal(*, phase: str, cancelled: bool, in_room: bool, verified: bool) -> str | None:
    """Why this person may not choose to stay in touch now, or None when they may.

    Only people who were in the room choose, once the session has ended (a cancelled one
    had nobody in it); an address its owner never proved is not shared with anyone.
    """
    if cancelled:
        return "This session was cancelled, so there is nobody to stay in touch with."
    if phase != Phase.ENDED:
        return "You can choose to stay in touch once the session has ended."
    if not in_room:
        return "Only people who were in the session's room can choose to stay in touch."
    if not verified:
        return "Please confirm your e-mail address first: it is what the others would see."
    return None


def access(*, chose: bool, refusal: str | None) -> Access:
    """A person who chose gets the list (and the way out); one who may choose is offered
    it; nobody else gets anything."""
    if chose:
        return Access.SEES
    if refusal is None:
        return Access.MAY_CHOOSE
    return Access.NONE


def may_change_choice(person: Access) -> bool:
    """Choosing or withdrawing is open to whoever the page offers it to: withdrawing stays
    open to someone who chose, whatever happened since."""
    return person is not Access.NONE


def sees_peers(viewer_id: int, consenting: Iterable[Consenting]) -> bool:
    """Whether the viewer sees the list at all: only if they chose too, with a proved
    address."""
    return any(person.user_id == viewer_id and person.verified for person in consenting)


def visible_peers(viewer_id: int, consenting: Iterable[Consenting]) -> list[int]:
    """The people `viewer_id` sees, in the order given: the others who chose (with a proved
    address), and only if the viewer chose too. Anyone else sees nobody."""
    people = list(consenting)
    if not sees_peers(viewer_id, people):
        return []
    return [person.user_id for person in people if person.user_id != viewer_id and person.verified]
