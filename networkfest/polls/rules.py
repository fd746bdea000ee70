"""Poll rules: who may open, answer and close, which answers count, who sees the counts.

Pure: no Flask, no database; the phase and the viewer are passed in. A poll's text is
checked by `programme.rules.check_poll`, the same rule the schedule file obeys, and worded here
for the host at the room's "Write a poll" form.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from networkfest.programme.rules import (
    MAX_POLL_OPTION,
    MAX_POLL_OPTIONS,
    MAX_POLL_QUESTION,
    MIN_POLL_OPTIONS,
    TOO_LONG_FAULTS,
    PollFault,
    PollResults,
    PollSpec,
    check_poll,
)
from networkfest.qa.rules import Audience, RoomSees, Viewer, told
from networkfest.timing.rules import Phase


class PollStatus(StrEnum):
    READY = "ready"  # prepared, not yet opened: only the hosts see it
    OPEN = "open"
    CLOSED = "closed"


class PollError(Exception):
    """A rule said no; `code` is one of the live protocol's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


ANSWER_REFUSED = "Only people with a confirmed place can answer polls."
HOSTS_ONLY = "Only this session's hosts and organisers can open and close polls."


def check_live(phase: str) -> None:
    """Polls exist only while the session is live: not in the lobby, not after the end."""
    if phase != Phase.LIVE:
        raise PollError("not_live", "Polls open only while the session is live.")


def hosts_see_prepared_live(phase: str) -> bool:
    """A published change to a session's prepared polls reaches its hosts' open pages while
    its room is open (lobby or live); otherwise they see it when they next join."""
    return phase in (Phase.LOBBY, Phase.LIVE)


def check_moderator(viewer: Viewer) -> None:
    if viewer.user_id is None:
        raise PollError("unauthenticated", "Please sign in to run polls.")
    if not viewer.moderator:
        raise PollError("forbidden", HOSTS_ONLY)


# A poll's problems in words for the host at the room's form, which takes options one per line.
_OPTION_COUNT = f"Give {MIN_POLL_OPTIONS} to {MAX_POLL_OPTIONS} options, one per line."
HOST_WORDS: dict[PollFault, str] = {
    PollFault.NO_QUESTION: "Write the poll's question.",
    PollFault.QUESTION_TOO_LONG: (
        f"The question is {{detail}} characters long: keep it to {MAX_POLL_QUESTION}."
    ),
    PollFault.OPTIONS_NOT_A_LIST: _OPTION_COUNT,
    PollFault.OPTION_COUNT: _OPTION_COUNT,
    PollFault.EMPTY_OPTION: "Option {index} is empty: give each option some text.",
    PollFault.OPTION_TOO_LONG: (
        f"Option {{index}} is {{detail}} characters long: keep each option to {MAX_POLL_OPTION}."
    ),
    PollFault.OPTION_TWICE: "'{detail}' is listed twice: give each option once.",
    PollFault.MULTIPLE_NOT_BOOLEAN: "Say whether people may choose more than one option.",
    PollFault.UNKNOWN_RESULTS: (
        "Say whether the results show as answers come in or when you close the poll."
    ),
}


def written_poll(question: Any, options: Any, multiple: Any, results: Any) -> PollSpec:
    """A poll a host writes in the room, held to the schedule file's rules and refused with
    everything wrong with it at once, so one correction is enough."""
    spec, problems = check_poll(question, options, multiple, results)
    if spec is None:
        code = "too_long" if problems[0].fault in TOO_LONG_FAULTS else "invalid"
        raise PollError(code, " ".join(problem.worded(HOST_WORDS) for problem in problems))
    return spec


def clean_choices(choices: Any, option_count: int, multiple: bool) -> tuple[int, ...]:
    """The option ids (1 to option_count) of one answer: exactly one for a single-choice
    poll, one or more distinct ones for a multiple-choice poll."""
    if not isinstance(choices, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in choices
    ):
        raise PollError("invalid", "'choices' must be a list of option ids.")
    if not choices:
        raise PollError("invalid", "Please choose an option first.")
    if len(set(choices)) != len(choices):
        raise PollError("invalid", "Each option can be chosen once.")
    if not multiple and len(choices) != 1:
        raise PollError("invalid", "This poll takes one choice.")
    if any(not 1 <= c <= option_count for c in choices):
        raise PollError("invalid", "There is no such option in this poll.")
    return tuple(sorted(choices))


def counts_visible(results: str, status: str, moderator: bool) -> bool:
    """Hosts and organisers always see the counts; others once the poll is open with live
    results, or once it is closed."""
    if moderator:
        return True
    if status == PollStatus.CLOSED:
        return True
    return status == PollStatus.OPEN and results == PollResults.LIVE


def can_see(status: str, moderator: bool) -> bool:
    """A prepared poll not yet opened is the hosts' secret; opened and closed ones are public."""
    return moderator or status != PollStatus.READY


def audiences(status: str, results: str) -> list[tuple[Audience, bool]]:
    """Who is told about a poll in this state, and whether with its counts (True) or without
    (False): a prepared poll, the hosts only; one whose counts are public, the room; one whose
    results wait for the close, the room without counts, then the hosts with them (last, so a
    host's page ends on the counts)."""
    if status == PollStatus.READY:
        return told(RoomSees.NOTHING)
    if counts_visible(results, status, moderator=False):
        return told(RoomSees.WHOLE)
    return told(RoomSees.PART, hosts_last=True)
