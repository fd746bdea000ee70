"""How the audit log reads to organisers: each action in words. Pure: no I/O."""

from __future__ import annotations

from typing import Any

ACTION_LABELS: dict[str, str] = {
    "schedule.publish": "Published the schedule",
    "user.role": "Changed an organiser role",
    "question.approve": "Approved a question",
    "question.hide": "Hid a question",
    "question.answer": "Marked a question answered",
    "question.pin": "Pinned a question",
    "question.unpin": "Unpinned a question",
    "agenda.next": "Moved the run sheet on",
}


def action_label(action: str) -> str:
    """Known actions in words; an unknown one (from a newer release) as it was stored."""
    return ACTION_LABELS.get(action, action)


def detail_lines(detail: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The entry's details as (name, value) pairs in a stable order, values as plain text."""
    if not isinstance(detail, dict):
        return []
    return [(str(key), _text(value)) for key, value in sorted(detail.items())]


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
