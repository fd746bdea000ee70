"""Q&A rules: who may ask, vote, see and moderate, and what moderation does. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from networkfest.audit.rules import AuditAction
from networkfest.programme.rules import QaMode
from networkfest.timing.rules import Phase

MAX_QUESTION_LENGTH = 500
RATE_LIMIT = 3
RATE_WINDOW = timedelta(minutes=1)


class QuestionStatus(StrEnum):
    PENDING = "pending"
    VISIBLE = "visible"
    ANSWERED = "answered"
    HIDDEN = "hidden"


PUBLIC_STATUSES = frozenset({QuestionStatus.VISIBLE, QuestionStatus.ANSWERED})
# Each moderation action, with what the audit log records for it.
MODERATION_AUDIT = {
    "approve": AuditAction.QUESTION_APPROVE,
    "hide": AuditAction.QUESTION_HIDE,
    "answer": AuditAction.QUESTION_ANSWER,
    "pin": AuditAction.QUESTION_PIN,
    "unpin": AuditAction.QUESTION_UNPIN,
}
MODERATION_ACTIONS = tuple(MODERATION_AUDIT)


class QaError(Exception):
    """A rule said no; `code` is one of the live protocol's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """What the rules need to know about the person looking at one session's questions."""

    user_id: int | None
    confirmed: bool = False
    host: bool = False
    organiser: bool = False

    @property
    def moderator(self) -> bool:
        return self.host or self.organiser

    @property
    def participant(self) -> bool:
        """Confirmed attendees, the session's hosts and organisers may ask and vote."""
        return self.user_id is not None and (self.confirmed or self.moderator)


def clean_text(raw: object) -> str:
    """Trim and check a question's text: 1 to 500 characters."""
    if not isinstance(raw, str):
        raise QaError("invalid", "The question must be text.")
    text = raw.strip()
    if not text:
        raise QaError("invalid", "Please type a question first.")
    if len(text) > MAX_QUESTION_LENGTH:
        raise QaError(
            "too_long", f"Questions can be at most {MAX_QUESTION_LENGTH} characters long."
        )
    return text


def initial_status(qa_mode: str) -> str:
    """Moderated rooms hold new questions for the hosts; open rooms show them at once."""
    if qa_mode == QaMode.OFF:
        raise QaError("qa_off", "Questions are switched off for this session.")
    return QuestionStatus.PENDING if qa_mode == QaMode.MODERATED else QuestionStatus.VISIBLE


def check_participant(viewer: Viewer) -> None:
    if viewer.user_id is None:
        raise QaError("unauthenticated", "Please sign in to ask or vote.")
    if not viewer.participant:
        raise QaError("forbidden", "Only people with a confirmed place can ask and vote.")


def check_live(phase: str) -> None:
    if phase != Phase.LIVE:
        raise QaError("not_live", "Questions and votes are open only while the session is live.")


def check_rate(recent_questions: int) -> None:
    """At most RATE_LIMIT questions per person per RATE_WINDOW, counted in the database."""
    if recent_questions >= RATE_LIMIT:
        raise QaError(
            "rate_limited", "You have asked several questions just now. Please wait a minute."
        )


def rate_window_start(now: datetime) -> datetime:
    return now - RATE_WINDOW


def can_see(status: str, viewer: Viewer, author_id: int | None) -> bool:
    """Public questions to all; pending and hidden to moderators; your own pending one to you."""
    if status in PUBLIC_STATUSES or viewer.moderator:
        return True
    return (
        status == QuestionStatus.PENDING
        and viewer.user_id is not None
        and viewer.user_id == author_id
    )


def check_vote_value(value: int) -> bool:
    """1 votes, 0 withdraws."""
    if value not in (0, 1):
        raise QaError("invalid", "'value' must be 1 (vote) or 0 (withdraw).")
    return value == 1


def moderate(action: str, status: str, pinned: bool) -> tuple[str, bool]:
    """The (status, pinned) a question has after a moderation action."""
    if action == "approve":
        return QuestionStatus.VISIBLE, pinned
    if action == "hide":
        return QuestionStatus.HIDDEN, False
    if action == "answer":
        return QuestionStatus.ANSWERED, pinned
    if action == "pin":
        return status, True
    if action == "unpin":
        return status, False
    raise QaError("invalid", f"'action' must be one of: {', '.join(MODERATION_ACTIONS)}.")


def top_order(pinned: bool, votes: int, created_at: datetime, question_id: int) -> tuple:
    """Pinned first, then most votes, then oldest: the order of the room's question list."""
    return (not pinned, -votes, created_at, question_id)


ENDED_REFUSAL = "Questions closed when the session ended."
PENDING_LABEL = "Awaiting moderation"
PENDING_AFTER_END_LABEL = "Not shown to the room"


def ask_refusal(viewer: Viewer, qa_mode: str, phase: str) -> str | None:
    """Why this person cannot ask right now, in words for the page; None when they can.
    Once the session has ended no one can, so that comes before who they are."""
    if qa_mode == QaMode.OFF:
        return "Questions are switched off for this session."
    if phase == Phase.ENDED:
        return ENDED_REFUSAL
    if viewer.user_id is None:
        return "Sign in with a confirmed place to ask questions."
    if not viewer.participant:
        return "Only people with a confirmed place can ask questions."
    if phase != Phase.LIVE:
        return "Questions open when the session starts and close when it ends."
    return None


def pending_label(phase: str, moderator: bool) -> str:
    """What a pending question's badge says. Hosts can still approve it after the end; its
    asker, once the session has ended, learns that the room never saw it rather than
    waiting for ever."""
    if phase == Phase.ENDED and not moderator:
        return PENDING_AFTER_END_LABEL
    return PENDING_LABEL


class Audience(StrEnum):
    """Who in a room a question event goes to."""

    ROOM = "room"  # everyone watching the session
    HOSTS = "hosts"  # the session's hosts and any organisers in the room
    ASKER = "asker"  # the person who asked it


class RoomSees(StrEnum):
    """How much of something in the live room (a question, a poll) the whole room may see."""

    WHOLE = "whole"  # everyone sees all of it
    PART = "part"  # the room gets a copy without what it may not see; the hosts all of it
    NOTHING = "nothing"  # only the hosts (and whoever wrote it)


def told(
    room_sees: RoomSees, *, author: bool = False, hosts_last: bool = False
) -> list[tuple[Audience, bool]]:
    """Who is told about something in the live room, and whether whole (True) or in part
    (False): the one rule behind questions and polls. `author`: its author has a room of
    their own to be told in while the room may not see it. `hosts_last`: the hosts' whole
    copy goes after the room's partial one, for a client that keeps the last copy it gets."""
    if room_sees == RoomSees.WHOLE:
        return [(Audience.ROOM, True)]
    if room_sees == RoomSees.NOTHING:
        return [(Audience.HOSTS, True)] + ([(Audience.ASKER, True)] if author else [])
    shielded = [(Audience.HOSTS, True), (Audience.ROOM, False)]
    return shielded[::-1] if hosts_last else shielded


def audiences(status: str, asked_by_someone: bool) -> list[tuple[Audience, bool]]:
    """Who is told about a question in this state, and whether they see it whole (True) or
    only enough to remove it (False): public questions go to the room; pending ones to the
    hosts and their asker; hidden ones whole to the hosts and redacted to the room."""
    if status in PUBLIC_STATUSES:
        return told(RoomSees.WHOLE)
    if status == QuestionStatus.PENDING:
        return told(RoomSees.NOTHING, author=asked_by_someone)
    return told(RoomSees.PART)
