"""Commitments: what counts as one, when it is followed up, which answers there are.

Pure: no Flask, no database, time passed in. The page, the signed links, the API and the
follow-up mails all ask these rules, so they refuse the same things with the same words.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from networkfest.programme.rules import MAX_FOLLOW_UP_WEEKS

# The feedback's "What will you do differently?" becomes the commitment: the same limit.
MAX_TEXT_LENGTH = 500
MAX_NOTE_LENGTH = 1000
# A follow-up link works for this long after its mail was sent (documented in the README).
LINK_LIFETIME = timedelta(days=60)
# Control characters other than tab and line breaks never belong in what a person wrote.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Answer(StrEnum):
    """How it went, asked weeks after the session."""

    DONE = "done"
    PARTLY = "partly"
    NOT_YET = "not_yet"


ANSWERS = tuple(Answer)
ANSWER_LABELS: dict[str, str] = {
    Answer.DONE: "Done",
    Answer.PARTLY: "Partly",
    Answer.NOT_YET: "Not yet",
}


class CommitmentRefused(Exception):
    """A refusal with an error code (as the API and live protocol name them) and words a
    person understands."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sanitise(text: str) -> str:
    """Trimmed, with control characters removed; line breaks stay. Rendered escaped."""
    return _CONTROL.sub("", text.replace("\r\n", "\n")).strip()


def clean_text(raw: Any) -> str:
    """A commitment's words: 1 to MAX_TEXT_LENGTH characters of text."""
    if not isinstance(raw, str):
        raise CommitmentRefused("invalid", "Your commitment must be text.")
    text = sanitise(raw)
    if not text:
        raise CommitmentRefused("invalid", "Please write what you will do differently.")
    if len(text) > MAX_TEXT_LENGTH:
        raise CommitmentRefused(
            "too_long", f"Please keep your commitment to {MAX_TEXT_LENGTH} characters."
        )
    return text


def clean_answer(raw: Any) -> Answer:
    """One of done, partly, not_yet; anything else is refused."""
    if not isinstance(raw, str) or raw not in ANSWERS:
        raise CommitmentRefused("invalid", "Please choose done, partly or not yet.")
    return Answer(raw)


def clean_note(raw: Any) -> str:
    """The optional note with an answer: up to MAX_NOTE_LENGTH characters of text."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise CommitmentRefused("invalid", "The note must be text.")
    note = sanitise(raw)
    if len(note) > MAX_NOTE_LENGTH:
        raise CommitmentRefused(
            "too_long", f"Please keep your note to {MAX_NOTE_LENGTH} characters."
        )
    return note


def follow_up_due_at(ends_at: datetime, weeks: int, *, cancelled: bool = False) -> datetime | None:
    """When a commitment made in a session is followed up: `weeks` after the session's end;
    never when the festival turned follow-ups off (0 weeks) or the session was cancelled."""
    if cancelled or weeks <= 0:
        return None
    return ends_at + timedelta(weeks=min(weeks, MAX_FOLLOW_UP_WEEKS))


def follow_up_due(ends_at: datetime, weeks: int, now: datetime, *, cancelled: bool = False) -> bool:
    due_at = follow_up_due_at(ends_at, weeks, cancelled=cancelled)
    return due_at is not None and due_at <= now


def link_expires_at(sent_at: datetime) -> datetime:
    return sent_at + LINK_LIFETIME


def link_refusal(
    *,
    owner_id: int | None,
    link_user_id: int,
    signed_in_id: int | None,
    answered: bool,
    expires_at: datetime,
    now: datetime,
) -> CommitmentRefused | None:
    """Why a follow-up link cannot be used now, or None when it can.

    A link is bound to one commitment and its owner; it works without signing in, but not
    while someone else is signed in; it stops working once the commitment has an answer
    (single use) and 60 days after it was sent.
    """
    if owner_id is None or owner_id != link_user_id:
        return CommitmentRefused("not_found", "This commitment no longer exists.")
    if signed_in_id is not None and signed_in_id != link_user_id:
        return CommitmentRefused(
            "forbidden",
            "This link was sent to someone else. Sign out first if it was sent to you.",
        )
    if answered:
        return CommitmentRefused("used", "This link has been used already: your answer is saved.")
    if now > expires_at:
        return CommitmentRefused("expired", "This link has expired: links work for 60 days.")
    return None
