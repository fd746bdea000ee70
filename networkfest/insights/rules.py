"""Who may give feedback and when, and what counts as an answer.

Pure: no Flask, no database, time passed in. Services and handlers ask these rules
so the socket event and the HTTP form refuse the same things with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from networkfest.commitments.rules import MAX_TEXT_LENGTH, sanitise
from networkfest.timing.rules import Phase

FEEDBACK_WINDOW = timedelta(hours=48)
# "What will you do differently?" becomes the person's commitment: its limit is theirs.
MAX_DIFFERENT_LENGTH = MAX_TEXT_LENGTH
WORTH_CHOICES = (1, 2, 3, 4, 5)
NOT_IN_ROOM = "Only people who were in the session's room can give feedback."


class FeedbackRefused(Exception):
    """A refusal with a live-protocol error code and words a person understands.

    `closed_at` is when the window closed, for a refusal because it has: the live room says
    the date in the festival's zone rather than the 48 hours."""

    def __init__(self, code: str, message: str, closed_at: datetime | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.closed_at = closed_at


@dataclass(frozen=True)
class FeedbackAnswer:
    worth: int
    different: str
    follow_up: bool
    stay_in_touch: bool = False


def clean_feedback(
    worth: Any, different: Any, follow_up: Any, stay_in_touch: Any = False
) -> FeedbackAnswer:
    """Check an answer whatever the client sent: worth 1 to 5, short trimmed text, a yes or
    no, and an optional yes or no to staying in touch (missing means no)."""
    if isinstance(worth, bool) or not isinstance(worth, int) or worth not in WORTH_CHOICES:
        raise FeedbackRefused("invalid", "Please rate the session from 1 to 5.")
    if different is None:
        different = ""
    if not isinstance(different, str):
        raise FeedbackRefused("invalid", "“What will you do differently?” must be text.")
    different = sanitise(different)
    if len(different) > MAX_DIFFERENT_LENGTH:
        raise FeedbackRefused(
            "too_long",
            f"Please keep “What will you do differently?” to {MAX_DIFFERENT_LENGTH} characters.",
        )
    if not isinstance(follow_up, bool):
        raise FeedbackRefused("invalid", "Please say whether you would join a follow-up.")
    if stay_in_touch is None:
        stay_in_touch = False
    if not isinstance(stay_in_touch, bool):
        raise FeedbackRefused("invalid", "Please say yes or no to staying in touch.")
    return FeedbackAnswer(
        worth=worth, different=different, follow_up=follow_up, stay_in_touch=stay_in_touch
    )


def feedback_closes_at(ends_at: datetime) -> datetime:
    return ends_at + FEEDBACK_WINDOW


def feedback_refusal(
    *, phase: str, cancelled: bool, attended: bool, ends_at: datetime, now: datetime
) -> FeedbackRefused | None:
    """Why this person may not give (or change) feedback now, or None when they may.

    Feedback opens at the session's end, only for people who were in the room, and
    stays changeable for 48 hours; after that the answer is final.
    """
    if cancelled:
        return FeedbackRefused("not_found", "This session was cancelled.")
    if phase != Phase.ENDED:
        return FeedbackRefused("not_live", "Feedback opens when the session has ended.")
    if not attended:
        return FeedbackRefused("forbidden", NOT_IN_ROOM)
    closes_at = feedback_closes_at(ends_at)
    if now > closes_at:
        return FeedbackRefused(
            "forbidden",
            "Feedback for this session closed 48 hours after it ended.",
            closed_at=closes_at,
        )
    return None
