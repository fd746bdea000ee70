"""How the audit log reads to organisers: each action in words. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    """Every action the log records: `services.record` takes nothing else, so a new one is
    added here, where its words must be too (tests/audit/test_rules.py)."""

    SCHEDULE_PUBLISH = "schedule.publish"
    USER_ROLE = "user.role"
    QUESTION_APPROVE = "question.approve"
    QUESTION_HIDE = "question.hide"
    QUESTION_ANSWER = "question.answer"
    QUESTION_PIN = "question.pin"
    QUESTION_UNPIN = "question.unpin"
    AGENDA_NEXT = "agenda.next"
    OUTCOMES_SAVE = "outcomes.save"


ACTION_LABELS: dict[str, str] = {
    AuditAction.SCHEDULE_PUBLISH: "Published the schedule",
    AuditAction.USER_ROLE: "Changed an organiser role",
    AuditAction.QUESTION_APPROVE: "Approved a question",
    AuditAction.QUESTION_HIDE: "Hid a question",
    AuditAction.QUESTION_ANSWER: "Marked a question answered",
    AuditAction.QUESTION_PIN: "Pinned a question",
    AuditAction.QUESTION_UNPIN: "Unpinned a question",
    AuditAction.AGENDA_NEXT: "Moved the run sheet on",
    AuditAction.OUTCOMES_SAVE: "Wrote up the outcomes",
}


def action_label(action: str) -> str:
    """Known actions in words; an unknown one (from a newer release) as it was stored."""
    return ACTION_LABELS.get(action, action)


def detail_lines(detail: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The entry's details as (name, value) pairs in a stable order, as plain text: a name
    stored as `summary_length` reads "summary length"."""
    if not isinstance(detail, dict):
        return []
    return [(str(key).replace("_", " "), _text(value)) for key, value in sorted(detail.items())]


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
